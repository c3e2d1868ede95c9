package jsonscan

// Decoder walks one JSON text from front to back, checking it on the way.
// The caller says what it expects next — an object, a key, a string, any
// value — and gets false when the text holds something else or is not valid
// JSON there; after a false the Decoder is stuck (OK reports false) and the
// caller should fall back to a general decoder. A Decoder never allocates.
//
// A walk of {"a":[1,2]} reads:
//
//	d.BeginObject()       // {
//	for d.NextMember() {  // then "a":, then }
//		key, _ := d.Key()
//		d.BeginArray()    // [
//		for d.NextElement() {
//			d.Number()    // 1, then 2
//		}
//	}
//	d.End()
type Decoder struct {
	data  []byte
	pos   int
	depth int
	first bool // no member or element of the innermost container read yet
	bad   bool
}

// NewDecoder starts a walk of data.
func NewDecoder(data []byte) Decoder { return Decoder{data: data} }

// OK reports whether the text has been as expected so far.
func (d *Decoder) OK() bool { return !d.bad }

func (d *Decoder) fail() bool {
	d.bad = true
	return false
}

// Peek returns the first byte of the next value — '{', '[', '"', 't', 'f',
// 'n', '-' or a digit — without reading it; 0 at the end of the text or
// after a failure.
func (d *Decoder) Peek() byte {
	if d.bad {
		return 0
	}
	d.pos = skipSpace(d.data, d.pos)
	if d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

// BeginObject reads the opening brace of an object.
func (d *Decoder) BeginObject() bool { return d.begin('{') }

// BeginArray reads the opening bracket of an array.
func (d *Decoder) BeginArray() bool { return d.begin('[') }

func (d *Decoder) begin(open byte) bool {
	if d.Peek() != open {
		return d.fail()
	}
	if d.depth++; d.depth > maxDepth {
		return d.fail()
	}
	d.pos++
	d.first = true
	return true
}

// NextMember reports whether the object being read has another member,
// reading the comma before it; at the closing brace it reads the brace and
// returns false. After true, read the member with Key and then its value.
func (d *Decoder) NextMember() bool { return d.next('}') }

// NextElement reports whether the array being read has another element,
// reading the comma before it; at the closing bracket it reads the bracket
// and returns false. After true, read the element.
func (d *Decoder) NextElement() bool { return d.next(']') }

func (d *Decoder) next(closer byte) bool {
	c := d.Peek()
	switch {
	case d.bad:
		return false
	case c == closer:
		d.pos++
		d.depth--
		d.first = false
		return false
	case d.first:
		d.first = false
		return true
	case c == ',':
		d.pos++
		return true
	}
	return d.fail()
}

// Key reads a member's key and the colon after it, and returns the key's
// text between its quotes with escapes left as they are. escaped reports
// whether the text holds a backslash.
func (d *Decoder) Key() (key []byte, escaped, ok bool) {
	key, escaped, ok = d.String()
	if !ok {
		return nil, false, false
	}
	d.pos = skipSpace(d.data, d.pos)
	if d.pos >= len(d.data) || d.data[d.pos] != ':' {
		return nil, false, d.fail()
	}
	d.pos++
	return key, escaped, true
}

// String reads a string and returns its text between the quotes with
// escapes left as they are (see Unquote). escaped reports whether the text
// holds a backslash.
func (d *Decoder) String() (text []byte, escaped, ok bool) {
	if d.Peek() != '"' {
		return nil, false, d.fail()
	}
	start := d.pos + 1
	i := start
	for i < len(d.data) && plain[d.data[i]] {
		i++
	}
	if i < len(d.data) && d.data[i] == '"' {
		d.pos = i + 1
		return d.data[start:i], false, true
	}
	end, valid := str(d.data, d.pos)
	if !valid {
		return nil, false, d.fail()
	}
	d.pos = end
	return d.data[start : end-1], true, true
}

// Number reads a number and returns its text.
func (d *Decoder) Number() ([]byte, bool) {
	if c := d.Peek(); c != '-' && !isDigit(c) {
		return nil, d.fail()
	}
	return d.Skip()
}

// Null reads a null if one comes next, and reports whether it did.
func (d *Decoder) Null() bool {
	if d.Peek() != 'n' {
		return false
	}
	end, ok := literal(d.data, d.pos, "null")
	if !ok {
		return d.fail()
	}
	d.pos = end
	return true
}

// Skip reads one value of any type, checking it, and returns its text.
func (d *Decoder) Skip() ([]byte, bool) {
	if d.Peek() == 0 {
		return nil, d.fail()
	}
	start := d.pos
	end, ok := value(d.data, start, d.depth)
	if !ok {
		return nil, d.fail()
	}
	d.pos = end
	return d.data[start:end], true
}

// End reports whether the walk has been as expected and nothing but white
// space follows.
func (d *Decoder) End() bool {
	if d.Peek() != 0 || d.bad || d.depth != 0 {
		return d.fail()
	}
	return true
}

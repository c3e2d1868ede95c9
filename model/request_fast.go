package model

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/bedrockbatch/bedrockbatch/internal/jsonscan"
)

// The sim backend's cost per record bounds a local job's throughput, and
// decoding the request with encoding/json is most of it. The fast paths
// here read the common, well-formed shape of a family's request in one pass
// with a jsonscan.Decoder. They take a request only when they can be sure
// to reach the same result as the general parser, and decline (return
// false) everything else — an error of any kind, a null, a type they do not
// read, a repeated key or a key that encoding/json would match to a field
// only by ignoring case — which then goes the general way, so results and
// error messages do not depend on which path ran.

// keyIndex finds key among names. It returns the index, -1 for a key that
// matches none, or -2 for a key the fast path must not judge: escaped,
// not ASCII, or equal to a name only when case is ignored.
func keyIndex(key []byte, escaped bool, names []string) int {
	if escaped {
		return -2
	}
	for i, n := range names {
		if string(key) == n {
			return i
		}
	}
	for _, c := range key {
		if c >= 0x80 {
			return -2
		}
	}
	for _, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return -2
		}
	}
	return -1
}

// members walks an object, calling read for each member whose key is one of
// names (each at most once) and skipping the others. read must consume the
// member's value and report whether it could.
func members(d *jsonscan.Decoder, names []string, read func(field int) bool) bool {
	if !d.BeginObject() {
		return false
	}
	var seen uint64
	for d.NextMember() {
		key, escaped, ok := d.Key()
		if !ok {
			return false
		}
		switch f := keyIndex(key, escaped, names); {
		case f == -2:
			return false
		case f == -1:
			if _, ok := d.Skip(); !ok {
				return false
			}
		default:
			if seen&(1<<f) != 0 || !read(f) {
				return false
			}
			seen |= 1 << f
		}
	}
	return d.OK()
}

// fastString reads a string. One without escapes is a view of the
// request body, not a copy: a parsed request lives only as long as the
// call that parsed it, during which the body does not change (see
// Request.Body).
func fastString(d *jsonscan.Decoder) (string, bool) {
	text, escaped, ok := d.String()
	if !ok {
		return "", false
	}
	if !escaped && len(text) > 0 && utf8.Valid(text) {
		return unsafe.String(&text[0], len(text)), true
	}
	return jsonscan.Unquote(text, escaped), true
}

// fastInt reads an integer as encoding/json reads one into an int.
func fastInt(d *jsonscan.Decoder) (int, bool) {
	raw, ok := d.Number()
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	return int(n), err == nil
}

func fastFloat(d *jsonscan.Decoder) (*float64, bool) {
	raw, ok := d.Number()
	if !ok {
		return nil, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return nil, false
	}
	return &f, true
}

func fastStrings(d *jsonscan.Decoder) ([]string, bool) {
	if !d.BeginArray() {
		return nil, false
	}
	out := []string{}
	for d.NextElement() {
		s, ok := fastString(d)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, d.OK()
}

var (
	anthropicFields      = []string{"anthropic_version", "max_tokens", "system", "messages", "temperature", "top_p", "stop_sequences"}
	anthropicMsgFields   = []string{"role", "content"}
	anthropicBlockFields = []string{"type", "text", "source", "content"}
)

// parseAnthropicFast is parseAnthropic for a valid request whose contents
// are strings or text blocks.
func parseAnthropicFast(p *Input, body []byte) bool {
	d := jsonscan.NewDecoder(body)
	var g ChatRequest
	maxTokens := -1
	var haveVersion, haveMessages bool
	ok := members(&d, anthropicFields, func(f int) bool {
		var ok bool
		switch f {
		case 0:
			_, _, ok = d.String()
			haveVersion = true
		case 1:
			maxTokens, ok = fastInt(&d)
		case 2:
			var sys string
			if sys, ok = anthropicContentFast(&d); sys != "" {
				g.System = []string{sys}
			}
		case 3:
			haveMessages = true
			ok = d.BeginArray()
			for ok && d.NextElement() {
				var t Turn
				ok = members(&d, anthropicMsgFields, func(f int) bool {
					var ok bool
					if f == 0 {
						t.Role, ok = fastString(&d)
					} else {
						t.Text, ok = anthropicContentFast(&d)
					}
					return ok
				})
				if (t.Role != "user" && t.Role != "assistant") || t.Text == "" {
					return false // left to the general parser, which words the error
				}
				g.Turns = append(g.Turns, t)
			}
			ok = ok && d.OK()
		case 4:
			g.Temperature, ok = fastFloat(&d)
		case 5:
			g.TopP, ok = fastFloat(&d)
		case 6:
			g.Stop, ok = fastStrings(&d)
		}
		return ok
	})
	if !ok || !d.End() || !haveVersion || !haveMessages || len(g.Turns) == 0 || maxTokens < 1 {
		return false
	}
	g.MaxTokens = maxTokens
	p.Chat = g
	p.InputTokens = countGenTokens(&p.Chat)
	return true
}

// anthropicContentFast reads a content or system value that is a string or
// an array of blocks without images or tool results, and returns its text
// as anthropicContent does.
func anthropicContentFast(d *jsonscan.Decoder) (string, bool) {
	if d.Peek() == '"' {
		return fastString(d)
	}
	if !d.BeginArray() {
		return "", false
	}
	var sb strings.Builder
	for d.NextElement() {
		var typ, text string
		ok := members(d, anthropicBlockFields, func(f int) bool {
			var ok bool
			switch f {
			case 0:
				typ, ok = fastString(d)
			case 1:
				text, ok = fastString(d)
			}
			return ok // source and content: left to the general parser
		})
		if !ok || typ == "image" || typ == "tool_result" || (typ == "text" && text == "") {
			return "", false
		}
		if typ == "text" {
			appendText(&sb, text)
		}
	}
	return sb.String(), d.OK()
}

var (
	novaFields       = []string{"system", "messages", "inferenceConfig"}
	novaMsgFields    = []string{"role", "content"}
	novaBlockFields  = []string{"text", "image", "document", "toolResult"}
	novaConfigFields = []string{"maxTokens", "max_new_tokens", "temperature", "topP", "stopSequences"}
)

// decodeNovaFast decodes a Nova or Converse request whose content blocks
// are all text into the novaRequest that encoding/json would make of it.
func decodeNovaFast(body []byte) (novaRequest, bool) {
	d := jsonscan.NewDecoder(body)
	var r novaRequest
	ok := members(&d, novaFields, func(f int) bool {
		switch f {
		case 0:
			var ok bool
			r.System, ok = novaBlocksFast(&d)
			return ok
		case 1:
			if !d.BeginArray() {
				return false
			}
			r.Messages = []novaMessage{}
			for d.NextElement() {
				var m novaMessage
				ok := members(&d, novaMsgFields, func(f int) bool {
					var ok bool
					if f == 0 {
						m.Role, ok = fastString(&d)
					} else {
						m.Content, ok = novaBlocksFast(&d)
					}
					return ok
				})
				if !ok {
					return false
				}
				r.Messages = append(r.Messages, m)
			}
			return d.OK()
		default:
			c := &novaInferenceConfig{}
			r.InferenceConfig = c
			return members(&d, novaConfigFields, func(f int) bool {
				var ok bool
				switch f {
				case 0:
					var n int
					n, ok = fastInt(&d)
					c.MaxTokens = &n
				case 1:
					var n int
					n, ok = fastInt(&d)
					c.MaxNewTokens = &n
				case 2:
					c.Temperature, ok = fastFloat(&d)
				case 3:
					c.TopP, ok = fastFloat(&d)
				case 4:
					c.StopSequences, ok = fastStrings(&d)
				}
				return ok
			})
		}
	})
	return r, ok && d.End()
}

// novaBlocksFast reads an array of text-only content blocks.
func novaBlocksFast(d *jsonscan.Decoder) ([]novaBlock, bool) {
	if !d.BeginArray() {
		return nil, false
	}
	blocks := []novaBlock{}
	for d.NextElement() {
		var b novaBlock
		ok := members(d, novaBlockFields, func(f int) bool {
			if f != 0 {
				return false // images, documents and tool results: the general way
			}
			text, ok := fastString(d)
			b.Text = &text
			return ok
		})
		if !ok {
			return nil, false
		}
		blocks = append(blocks, b)
	}
	return blocks, d.OK()
}

package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
)

// readBufferSize is the bufio buffer under every line reader; lines longer
// than it are assembled in a separate, bounded buffer.
const readBufferSize = 256 << 10

// lineReader yields the lines of a stream one at a time, without their line
// ending, refusing lines longer than max bytes while still skipping past them.
type lineReader struct {
	br    *bufio.Reader
	max   int
	line  int   // number of the line last returned, 1-based
	bytes int64 // bytes consumed so far
	long  []byte
}

func newLineReader(r io.Reader, max int) *lineReader {
	if max <= 0 {
		max = DefaultMaxRecordBytes
	}
	return &lineReader{br: bufio.NewReaderSize(r, bufferSizeFor(r)), max: max}
}

// bufferSizeFor is the read buffer for r: readBufferSize, or less for a
// file or an in-memory reader known to be smaller, so that reading many
// small manifests (a prefix of a hundred thousand) does not allocate a
// quarter of a megabyte for each.
func bufferSizeFor(r io.Reader) int {
	size := int64(-1)
	switch v := r.(type) {
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	case interface{ Len() int }:
		size = int64(v.Len())
	}
	if size < 0 || size >= readBufferSize {
		return readBufferSize
	}
	// One byte more than the content lets the reader see its end in the
	// same read; bufio takes no less than 16 bytes.
	return int(max(size+1, 4<<10))
}

// errLineTooLong reports a line over the limit; the line has been consumed.
var errLineTooLong = errors.New("line too long")

// next returns the next line. The slice is valid until the following call.
// At the end of the stream it returns io.EOF; a last line without a newline
// is still returned.
func (l *lineReader) next() ([]byte, error) {
	l.long = l.long[:0]
	tooLong := false
	for {
		chunk, err := l.br.ReadSlice('\n')
		l.bytes += int64(len(chunk))
		switch {
		case err == nil:
			return l.end(chunk, tooLong)
		case errors.Is(err, bufio.ErrBufferFull):
			if !tooLong {
				if len(l.long)+len(chunk) > l.max+2 {
					tooLong = true
					l.long = l.long[:0]
				} else {
					l.long = append(l.long, chunk...)
				}
			}
		case errors.Is(err, io.EOF):
			if len(chunk) == 0 && len(l.long) == 0 && !tooLong {
				return nil, io.EOF
			}
			return l.end(chunk, tooLong)
		default:
			return nil, err
		}
	}
}

// end finishes the line that chunk, its last part, completes: it counts
// the line and returns it whole, without its line ending, or
// errLineTooLong.
func (l *lineReader) end(chunk []byte, tooLong bool) ([]byte, error) {
	l.line++
	if tooLong {
		return nil, errLineTooLong
	}
	if len(l.long) > 0 {
		l.long = append(l.long, chunk...)
		chunk = l.long
	}
	line := trimEOL(chunk)
	if len(line) > l.max {
		return nil, errLineTooLong
	}
	return line, nil
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'})
}

// blank reports whether a line holds only white space.
func blank(b []byte) bool {
	return len(bytes.TrimSpace(b)) == 0
}

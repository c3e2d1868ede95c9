package table

import "fmt"

// RowError is a problem with one row of a table: the file, the row's
// 1-based number among the data rows, the line it starts on (0 when the
// format has no lines) and what is wrong.
type RowError struct {
	File string
	Row  int
	Line int
	Msg  string
}

func (e *RowError) Error() string {
	switch {
	case e.Line > 0 && e.Row == 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d (row %d): %s", e.File, e.Line, e.Row, e.Msg)
	case e.Row > 0:
		return fmt.Sprintf("%s row %d: %s", e.File, e.Row, e.Msg)
	}
	return e.File + ": " + e.Msg
}

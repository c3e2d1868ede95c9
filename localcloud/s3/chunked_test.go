package s3

import (
	"io"
	"strings"
	"testing"
)

func TestChunkedReader(t *testing.T) {
	for _, tc := range []struct {
		name, body, want, trailer string
		wantErr                   bool
	}{
		{name: "signed chunks", body: "5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n0;chunk-signature=ghi\r\n\r\n", want: "hello world"},
		{name: "unsigned with trailer", body: "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n", want: "abc", trailer: "NSRBwg=="},
		{name: "trailer without final blank line", body: "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n", want: "abc", trailer: "NSRBwg=="},
		{name: "chunk longer than announced", body: "2\r\nabc\r\n0\r\n\r\n", wantErr: true},
		{name: "truncated", body: "5\r\nab", wantErr: true},
		{name: "no final chunk", body: "3\r\nabc\r\n", wantErr: true},
		{name: "bad size", body: "zz\r\nabc\r\n", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newChunkedReader(strings.NewReader(tc.body))
			got, err := io.ReadAll(r)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("decoded %q without error", got)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
			if v := r.trailers.Get("X-Amz-Checksum-Crc32"); v != tc.trailer {
				t.Fatalf("trailer %q, want %q", v, tc.trailer)
			}
		})
	}
}

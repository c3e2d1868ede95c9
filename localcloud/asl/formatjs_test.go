package asl

import "testing"

// JSONata results are written as JavaScript writes numbers.
func TestFormatJSNumber(t *testing.T) {
	tenth, fifth := 0.1, 0.2
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "0"}, {3, "3"}, {-2.5, "-2.5"}, {1e15, "1000000000000000"}, {1e20, "100000000000000000000"},
		{1e21, "1e+21"}, {1.5e300, "1.5e+300"}, {0.00001, "0.00001"}, {1e-7, "1e-7"}, {1.25e-8, "1.25e-8"},
		{10.0 / 3, "3.3333333333333335"}, {tenth + fifth, "0.30000000000000004"}, {0.000001, "0.000001"},
	} {
		if got := formatJSNumber(tc.in); got != tc.want {
			t.Errorf("formatJSNumber(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

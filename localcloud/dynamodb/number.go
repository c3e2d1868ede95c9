package dynamodb

import (
	"math/big"
	"strings"
)

// number is a DynamoDB number: an exact decimal coef × 10^exp. DynamoDB
// keeps up to 38 significant digits with magnitudes from 1E-130 to
// 9.99…E+125, so a decimal (not a float) is needed to compare and add them
// without rounding.
type number struct {
	coef *big.Int
	exp  int
}

// Limits of the Number type
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number).
const (
	maxDigits   = 38
	maxExponent = 125  // largest magnitude below 1E+126
	minExponent = -130 // smallest positive magnitude 1E-130
)

// parseNumber reads a decimal literal such as "-12.50e3". It reports
// DynamoDB's messages for text that is not a number and for numbers out of
// range.
func parseNumber(s string) (number, error) {
	bad := validation("The parameter cannot be converted to a numeric value: %s", s)
	t := strings.TrimSpace(s)
	if t == "" {
		return number{}, validation("The parameter cannot be converted to a numeric value")
	}
	neg := false
	if t[0] == '+' || t[0] == '-' {
		neg = t[0] == '-'
		t = t[1:]
	}
	mant, expPart, hasExp := strings.Cut(strings.ToLower(t), "e")
	exp := 0
	if hasExp {
		e, ok := new(big.Int).SetString(strings.TrimPrefix(expPart, "+"), 10)
		if !ok || expPart == "" {
			return number{}, bad
		}
		if !e.IsInt64() || e.Int64() > 10000 || e.Int64() < -10000 {
			if e.Sign() > 0 {
				return number{}, validation("Number overflow. Attempting to store a number with magnitude larger than supported range")
			}
			return number{}, validation("Number underflow. Attempting to store a number with magnitude smaller than supported range")
		}
		exp = int(e.Int64())
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := intPart + frac
	if digits == "" {
		return number{}, bad
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return number{}, bad
		}
	}
	exp -= len(frac)
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return number{coef: new(big.Int), exp: 0}, nil
	}
	trimmed := strings.TrimRight(digits, "0")
	exp += len(digits) - len(trimmed)
	if len(trimmed) > maxDigits {
		return number{}, validation("Attempting to store more than 38 significant digits in a Number")
	}
	coef, _ := new(big.Int).SetString(trimmed, 10)
	if neg {
		coef.Neg(coef)
	}
	n := number{coef: coef, exp: exp}
	return n, n.checkRange()
}

// checkRange reports a magnitude outside DynamoDB's range.
func (n number) checkRange() error {
	if n.coef.Sign() == 0 {
		return nil
	}
	digits := len(new(big.Int).Abs(n.coef).String())
	if digits > maxDigits {
		return validation("Attempting to store more than 38 significant digits in a Number")
	}
	top := n.exp + digits - 1 // exponent of the leading digit
	if top > maxExponent {
		return validation("Number overflow. Attempting to store a number with magnitude larger than supported range")
	}
	if top < minExponent {
		return validation("Number underflow. Attempting to store a number with magnitude smaller than supported range")
	}
	return nil
}

// normalized removes trailing zeros of the coefficient, so that equal
// numbers have one form.
func (n number) normalized() number {
	if n.coef.Sign() == 0 {
		return number{coef: new(big.Int), exp: 0}
	}
	c := new(big.Int).Set(n.coef)
	ten := big.NewInt(10)
	r := new(big.Int)
	for {
		q, m := new(big.Int).QuoRem(c, ten, r)
		if m.Sign() != 0 {
			break
		}
		c = q
		n.exp++
	}
	return number{coef: c, exp: n.exp}
}

// String formats the number in plain notation, as DynamoDB returns numbers
// ("1.5", "-100", "0.001").
func (n number) String() string {
	if n.coef.Sign() == 0 {
		return "0"
	}
	neg := n.coef.Sign() < 0
	digits := new(big.Int).Abs(n.coef).String()
	var s string
	switch {
	case n.exp >= 0:
		s = digits + strings.Repeat("0", n.exp)
	case -n.exp < len(digits):
		cut := len(digits) + n.exp
		s = digits[:cut] + "." + digits[cut:]
	default:
		s = "0." + strings.Repeat("0", -n.exp-len(digits)) + digits
	}
	if neg {
		return "-" + s
	}
	return s
}

// align returns both coefficients scaled to the smaller exponent.
func align(a, b number) (*big.Int, *big.Int, int) {
	exp := min(a.exp, b.exp)
	scale := func(n number) *big.Int {
		if n.exp == exp {
			return n.coef
		}
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n.exp-exp)), nil)
		return p.Mul(p, n.coef)
	}
	return scale(a), scale(b), exp
}

// cmp compares two numbers exactly.
func (n number) cmp(o number) int {
	a, b, _ := align(n, o)
	return a.Cmp(b)
}

// add returns n + o (or n − o with neg), checked against DynamoDB's range.
func (n number) add(o number, neg bool) (number, error) {
	a, b, exp := align(n, o)
	r := new(big.Int)
	if neg {
		r.Sub(a, b)
	} else {
		r.Add(a, b)
	}
	out := number{coef: r, exp: exp}.normalized()
	return out, out.checkRange()
}

// canonicalNumber parses s and returns its normalized text.
func canonicalNumber(s string) (string, error) {
	n, err := parseNumber(s)
	if err != nil {
		return "", err
	}
	return n.normalized().String(), nil
}

// mustNumber parses a number already validated on the way in.
func mustNumber(s string) number {
	n, err := parseNumber(s)
	if err != nil {
		return number{coef: new(big.Int)}
	}
	return n
}

func bigInt(n int64) *big.Int { return big.NewInt(n) }

package backend

// hashBytes is 64-bit FNV-1a followed by the SplitMix64 finaliser, so that
// every bit of the result depends on every input byte. It is stable across
// processes and versions: fault injection and simulated answers depend on it.
func hashBytes(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return mix64(h)
}

func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix64(h)
}

// mix64 is the SplitMix64 finaliser.
func mix64(z uint64) uint64 {
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	z ^= z >> 31
	return z
}

// FaultSelected reports whether the sim backend's fault injection fails the
// first attempt of a record with this modelInput at this error rate (0 to
// 1); it is TransientFault for attempt 1.
func FaultSelected(modelInput []byte, rate float64) bool {
	return TransientFault(modelInput, 1, rate)
}

// TransientFault reports whether the sim backend fails this attempt (1 for
// the first; 0 counts as 1) of a record with this modelInput with a
// transient fault at this rate (0 to 1): it does exactly when h mod 10000 <
// rate × 10000, where h is, for attempt 1, 64-bit FNV-1a of the modelInput
// bytes passed through the SplitMix64 finaliser, and for a later attempt
// that hash mixed with the attempt number. Every attempt is an independent
// draw, so a record fails again on retry only at the rate; the choice
// depends only on the bytes and the attempt, so a run is reproducible and a
// test can compute exactly which calls fail.
func TransientFault(modelInput []byte, attempt int, rate float64) bool {
	return faultSelected(attemptHash(hashBytes(modelInput), attempt), rate)
}

// PermanentFault reports whether the sim backend fails every attempt of a
// record with this modelInput with a permanent (400) fault at this rate:
// a draw from the modelInput's hash independent of TransientFault's.
func PermanentFault(modelInput []byte, rate float64) bool {
	return faultSelected(permanentHash(hashBytes(modelInput)), rate)
}

// attemptHash keeps the first attempt's draw the plain hash, so the records
// a rate fails on a first run stay the same as before attempts counted.
func attemptHash(h uint64, attempt int) uint64 {
	if attempt <= 1 {
		return h
	}
	return mix64(h ^ uint64(attempt)*0x9e3779b97f4a7c15)
}

func permanentHash(h uint64) uint64 { return mix64(h ^ 0x510e527fade682d1) }

func faultSelected(h uint64, rate float64) bool {
	if rate <= 0 {
		return false
	}
	return h%10000 < uint64(rate*10000+0.5)
}

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

// FaultSelected reports whether the sim backend's fault injection fails a
// record with this modelInput at this error rate (0 to 1): it does exactly
// when hash(modelInput) mod 10000 < rate × 10000, the hash being 64-bit
// FNV-1a of the modelInput bytes passed through the SplitMix64 finaliser.
// The choice depends only on the bytes, so a run is reproducible and a test
// can compute exactly how many records of a file will fail.
func FaultSelected(modelInput []byte, rate float64) bool {
	return faultSelected(hashBytes(modelInput), rate)
}

func faultSelected(h uint64, rate float64) bool {
	if rate <= 0 {
		return false
	}
	return h%10000 < uint64(rate*10000+0.5)
}

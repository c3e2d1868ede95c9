package results

// SetPartitionBytes sets the size of a join partition, so tests can make
// many partitions from little data, and returns a function that restores it.
func SetPartitionBytes(n int64) func() {
	old := partitionBytes
	partitionBytes = n
	return func() { partitionBytes = old }
}

package asl

// batchItems groups a distributed Map's selected items into the inputs of
// its child workflows: {"Items": [...]} with the evaluated BatchInput, each
// holding at most MaxItemsPerBatch items and MaxInputBytesPerBatch bytes
// (256 KiB by default). An item larger than the byte limit goes alone.
func batchItems(ib *ItemBatcher, ev mapEval, items []any) ([]any, *Error) {
	maxItems, _, err := ev.number(ib.MaxItemsPerBatch, ib.MaxItemsPerBatchPath, "MaxItemsPerBatch")
	if err != nil {
		return nil, err
	}
	maxBytes, hasBytes, err := ev.number(ib.MaxInputBytesPerBatch, ib.MaxInputBytesPerBatchPath, "MaxInputBytesPerBatch")
	if err != nil {
		return nil, err
	}
	if !hasBytes || maxBytes <= 0 || maxBytes > maxBatchBytes {
		maxBytes = maxBatchBytes
	}
	var batchInput any
	if ib.HasBatchInput {
		if batchInput, err = ev.template(ib.BatchInput, "BatchInput"); err != nil {
			return nil, err
		}
	}
	return makeBatches(items, int(maxItems), int(maxBytes), batchInput, ib.HasBatchInput), nil
}

// makeBatches groups items; maxItems 0 means no item limit.
func makeBatches(items []any, maxItems, maxBytes int, batchInput any, hasBatchInput bool) []any {
	newBatch := func() map[string]any {
		m := map[string]any{"Items": []any{}}
		if hasBatchInput {
			m["BatchInput"] = batchInput
		}
		return m
	}
	empty := len(encodeValue(newBatch()))
	out := []any{}
	var cur map[string]any
	var list []any
	size := 0
	flush := func() {
		if cur != nil {
			cur["Items"] = list
			out = append(out, cur)
		}
		cur, list, size = nil, nil, 0
	}
	for _, item := range items {
		n := len(encodeValue(item))
		if cur != nil {
			n++ // the comma
		}
		if cur != nil && ((maxItems > 0 && len(list) >= maxItems) || size+n > maxBytes) {
			flush()
			n--
		}
		if cur == nil {
			cur, size = newBatch(), empty
		}
		list = append(list, item)
		size += n
	}
	flush()
	return out
}

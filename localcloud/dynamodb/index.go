package dynamodb

import (
	"sort"
)

// index keeps a table's items (or a secondary index's entries) grouped by
// partition key and ordered by sort key within a partition. Partitions and
// their order are sorted lazily, when a Query or Scan needs them, so a
// write costs a map update and not a re-sort.
type index struct {
	name       string // "" for the table itself
	hash, rng  string
	proj       projection
	local      bool
	tableHash  string
	tableRange string

	parts      map[string]*partition
	order      []string // partition keys, sorted when orderDirty is false
	orderDirty bool
	count      int
}

type partition struct {
	items  []Item
	sorted bool
}

func newIndex(name string, ks []keySchemaElement, proj projection, tableHash, tableRange string) *index {
	h, r := keyNames(ks)
	return &index{name: name, hash: h, rng: r, proj: proj, tableHash: tableHash, tableRange: tableRange, parts: map[string]*partition{}}
}

// holds reports whether an item has the index's key attributes (secondary
// indexes are sparse).
func (ix *index) holds(it Item) bool {
	if it[ix.hash] == nil {
		return false
	}
	return ix.rng == "" || it[ix.rng] != nil
}

func (ix *index) add(it Item) {
	if !ix.holds(it) {
		return
	}
	k := keyString(it[ix.hash])
	p := ix.parts[k]
	if p == nil {
		p = &partition{sorted: true}
		ix.parts[k] = p
		ix.order = append(ix.order, k)
		ix.orderDirty = true
	}
	p.items = append(p.items, it)
	p.sorted = len(p.items) == 1
	ix.count++
}

func (ix *index) remove(it Item) {
	if !ix.holds(it) {
		return
	}
	k := keyString(it[ix.hash])
	p := ix.parts[k]
	if p == nil {
		return
	}
	for i, x := range p.items {
		if sameItem(x, it) {
			p.items = append(p.items[:i], p.items[i+1:]...)
			ix.count--
			break
		}
	}
	if len(p.items) == 0 {
		delete(ix.parts, k)
		ix.orderDirty = true
		ix.order = nil
	}
}

// sameItem compares by identity: the store keeps one Item per key.
func sameItem(a, b Item) bool {
	return len(a) == len(b) && func() bool {
		for k, v := range a {
			if b[k] != v {
				return false
			}
		}
		return true
	}()
}

// less orders entries of one partition: by the index's sort key, then, in
// a secondary index, by the table's key so that entries with equal index
// keys keep a stable order.
func (ix *index) less(a, b Item) bool {
	if ix.rng != "" {
		if c, _ := compare(a[ix.rng], b[ix.rng]); c != 0 {
			return c < 0
		}
	}
	if ix.name == "" {
		return false
	}
	if c, _ := compare(a[ix.tableHash], b[ix.tableHash]); c != 0 {
		return c < 0
	}
	if ix.tableRange != "" {
		c, _ := compare(a[ix.tableRange], b[ix.tableRange])
		return c < 0
	}
	return false
}

func (ix *index) partition(hash *Value) []Item {
	p := ix.parts[keyString(hash)]
	if p == nil {
		return nil
	}
	if !p.sorted {
		sort.SliceStable(p.items, func(i, j int) bool { return ix.less(p.items[i], p.items[j]) })
		p.sorted = true
	}
	return p.items
}

// partitions returns the partition keys in scan order.
func (ix *index) partitions() []string {
	if ix.orderDirty {
		ix.order = ix.order[:0]
		for k := range ix.parts {
			ix.order = append(ix.order, k)
		}
		sort.Strings(ix.order)
		ix.orderDirty = false
	}
	return ix.order
}

// after returns the position just past the entry whose keys are those of
// start in a sorted partition.
func (ix *index) after(items []Item, start Item) int {
	return sort.Search(len(items), func(i int) bool { return ix.less(start, items[i]) })
}

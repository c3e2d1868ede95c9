package bedrockbatchstepfn

import (
	"fmt"
	"reflect"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go/runtime"
)

// proxyFQN names BedrockBatchSfn in the jsii runtime's type registry. It is
// known only to this process's Go side: no assembly defines it, and the
// kernel never sees it.
const proxyFQN = "github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn.BedrockBatchSfn"

// init registers BedrockBatchSfn as a base type, as generated bindings do
// with theirs: when a subclass is created, the runtime then counts the jsii
// interfaces that BedrockBatchSfn implements as inherited, instead of
// declaring them again on the subclass (which the kernel rejects as
// duplicate overrides).
func init() {
	runtime.RegisterClass(proxyFQN, reflect.TypeFor[BedrockBatchSfn](), nil, func() interface{} { return newFragment() })
}

// newFragment is a bedrockBatchSfn whose embedded StateMachineFragment proxy
// exists but is bound to no jsii object yet.
func newFragment() *bedrockBatchSfn {
	f := &bedrockBatchSfn{}
	runtime.InitJsiiProxy(&f.StateMachineFragment)
	return f
}

// NewBedrockBatchSfn_Override creates the fragment as b, a user type that
// subclasses BedrockBatchSfn by embedding it, the way jsii constructs are
// subclassed in Go:
//
//	type myBatch struct{ bedrockbatchstepfn.BedrockBatchSfn }
//
//	b := &myBatch{}
//	bedrockbatchstepfn.NewBedrockBatchSfn_Override(b, scope, jsii.String("Batch"), props)
//
// b must be a pointer to a struct that embeds BedrockBatchSfn itself (the
// jsii runtime does not look for it deeper), with that field still nil.
// Methods that b defines with a pointer receiver and the names of
// StateMachineFragment members (StartState, EndStates, ToString, ...)
// override the fragment's.
// It panics like NewBedrockBatchSfn, and also when b is not such a value.
func NewBedrockBatchSfn_Override(b BedrockBatchSfn, parent constructs.Construct, id *string, props *BedrockBatchSfnProps) {
	field, err := embeddedFragment(b)
	if err != nil {
		panic(err)
	}
	s := prepare(parent, props, nil)
	// jsii registers every value embedded in b as the same object, so the
	// embedded proxy must exist before b is created.
	f := newFragment()
	field.Set(reflect.ValueOf(BedrockBatchSfn(f)))
	awsstepfunctions.NewStateMachineFragment_Override(b, parent, id)
	f.build(props, nil, s)
}

// embeddedFragment returns the settable BedrockBatchSfn field that b embeds.
func embeddedFragment(b BedrockBatchSfn) (reflect.Value, error) {
	v := reflect.ValueOf(b)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, fmt.Errorf("NewBedrockBatchSfn_Override: got %T; pass a non-nil pointer to a struct "+
			"that embeds bedrockbatchstepfn.BedrockBatchSfn", b)
	}
	sf, ok := v.Elem().Type().FieldByName("BedrockBatchSfn")
	if !ok || !sf.Anonymous || sf.Type != reflect.TypeFor[BedrockBatchSfn]() || len(sf.Index) != 1 {
		return reflect.Value{}, fmt.Errorf("NewBedrockBatchSfn_Override: %T does not embed bedrockbatchstepfn.BedrockBatchSfn; "+
			"add it as an embedded field of the struct itself", b)
	}
	field := v.Elem().Field(sf.Index[0])
	if !field.IsNil() {
		return reflect.Value{}, fmt.Errorf("NewBedrockBatchSfn_Override: the BedrockBatchSfn embedded in %T is already set; "+
			"create each fragment from a new value", b)
	}
	return field, nil
}

package model

import (
	"fmt"
	"strings"
)

// IDKind says what kind of identifier a model id is.
type IDKind int

// The kinds of model id that batch inference takes (the modelId pattern of
// CreateModelInvocationJob).
const (
	// KindFoundationModel is a foundation model id: "amazon.nova-pro-v1:0".
	KindFoundationModel IDKind = iota
	// KindInferenceProfile is a cross-region (system-defined) inference
	// profile id: a geography prefix on a foundation model id,
	// "us.amazon.nova-pro-v1:0".
	KindInferenceProfile
	// KindFoundationModelARN is
	// "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0".
	KindFoundationModelARN
	// KindInferenceProfileARN is the ARN of a cross-region inference profile,
	// "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-pro-v1:0".
	KindInferenceProfileARN
	// KindApplicationInferenceProfileARN is the ARN of a profile a user
	// created, "…:application-inference-profile/a1b2c3d4e5f6". It does not
	// name its model, so its family is unknown.
	KindApplicationInferenceProfileARN
	// KindCustomModelARN is the ARN of a customized model,
	// "…:custom-model/amazon.titan-text-express-v1:0:8k/a1b2c3d4e5f6", which
	// names the model it was customized from.
	KindCustomModelARN
	// KindOtherARN is an ARN of no kind above.
	KindOtherARN
)

var kindNames = [...]string{
	KindFoundationModel:                "foundation model id",
	KindInferenceProfile:               "inference profile id",
	KindFoundationModelARN:             "foundation model ARN",
	KindInferenceProfileARN:            "inference profile ARN",
	KindApplicationInferenceProfileARN: "application inference profile ARN",
	KindCustomModelARN:                 "custom model ARN",
	KindOtherARN:                       "ARN",
}

// String describes the kind for people, for example "inference profile id".
func (k IDKind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("IDKind(%d)", int(k))
	}
	return kindNames[k]
}

// geographies are the prefixes of cross-region inference profile ids, such
// as "us.anthropic.claude-3-5-haiku-20241022-v1:0".
var geographies = []string{"us.", "eu.", "apac.", "global.", "us-gov.", "ca.", "jp.", "au.", "ap."}

// ID is a model id as a job names its model, parsed once where it enters the
// program: what kind of id it is, the foundation model behind it and that
// model's family. The zero ID is the empty id, of no family.
type ID struct {
	raw    string
	base   string
	geo    string
	kind   IDKind
	family Family
}

// ParseID reads a foundation model id, a cross-region inference profile id
// or a Bedrock model ARN. It does not fail: an id it cannot place has an
// unknown family, which [ID.RequireFamily] reports.
func ParseID(s string) ID {
	id := ID{raw: s}
	name := strings.TrimSpace(s)
	if strings.HasPrefix(name, "arn:") {
		id.kind, name = parseModelARN(name)
	}
	if id.kind == KindFoundationModel || id.kind == KindInferenceProfileARN {
		for _, g := range geographies {
			if strings.HasPrefix(name, g) {
				id.geo, name = g[:len(g)-1], name[len(g):]
				if id.kind == KindFoundationModel {
					id.kind = KindInferenceProfile
				}
				break
			}
		}
	}
	id.base = name
	id.family = familyOf(name)
	return id
}

// parseModelARN returns the kind of a Bedrock ARN and the model id it names
// ("" when it names none).
func parseModelARN(arn string) (IDKind, string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[2] != "bedrock" {
		return KindOtherARN, ""
	}
	typ, rest, _ := strings.Cut(parts[5], "/")
	switch typ {
	case "foundation-model":
		return KindFoundationModelARN, rest
	case "inference-profile":
		return KindInferenceProfileARN, rest
	case "application-inference-profile":
		return KindApplicationInferenceProfileARN, ""
	case "custom-model":
		if i := strings.LastIndexByte(rest, '/'); i >= 0 {
			return KindCustomModelARN, rest[:i]
		}
		return KindCustomModelARN, ""
	}
	return KindOtherARN, ""
}

// String returns the id as it was given.
func (id ID) String() string { return id.raw }

// Kind says what kind of id it is.
func (id ID) Kind() IDKind { return id.kind }

// IsARN reports whether the id is an ARN.
func (id ID) IsARN() bool { return id.kind >= KindFoundationModelARN }

// Base returns the foundation model id behind the id, without geography
// prefix or ARN ("amazon.nova-pro-v1:0"); "" when the id does not name it.
func (id ID) Base() string { return id.base }

// Geography returns the cross-region inference profile's geography ("us",
// "eu", "apac", "global", …), "" for an id without one.
func (id ID) Geography() string { return id.geo }

// Family returns the family of the model, FamilyUnknown when it is of no
// supported family or the id does not name it.
func (id ID) Family() Family { return id.family }

// RequireFamily returns the model's family, or an error saying why it is
// unknown: an *UnknownModelError for a model of no supported family, an
// *UnnamedModelError for an id that does not name its model.
func (id ID) RequireFamily() (Family, error) {
	switch {
	case id.family != FamilyUnknown:
		return id.family, nil
	case id.kind == KindApplicationInferenceProfileARN || (id.base == "" && id.IsARN()):
		return FamilyUnknown, &UnnamedModelError{ModelID: id.raw, Kind: id.kind}
	}
	return FamilyUnknown, &UnknownModelError{ModelID: id.raw}
}

// UnnamedModelError reports a model id that does not name its model, such
// as an application inference profile ARN, where the model's family, and so
// its request format, is needed.
type UnnamedModelError struct {
	ModelID string
	Kind    IDKind
}

func (e *UnnamedModelError) Error() string {
	if e.Kind == KindApplicationInferenceProfileARN {
		return fmt.Sprintf("model %q is an application inference profile, whose ARN does not name the model it runs, "+
			"so its request format is unknown: give the id of the model the profile runs "+
			"(aws bedrock get-inference-profile --inference-profile-identifier shows it)", e.ModelID)
	}
	return fmt.Sprintf("model %q is an ARN that names no model: give a foundation model id such as "+
		"\"amazon.nova-pro-v1:0\", an inference profile id such as \"us.amazon.nova-pro-v1:0\" or a "+
		"foundation-model, inference-profile, application-inference-profile or custom-model ARN", e.ModelID)
}

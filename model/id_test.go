package model

import (
	"errors"
	"strings"
	"testing"
)

// The id formats come from the modelId pattern of CreateModelInvocationJob
// (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateModelInvocationJob.html),
// the cross-region inference profile ids of
// https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
// (a geography prefix such as "us.", "eu.", "apac.", "us-gov." or "global."
// on the model id), and the ARN formats of the Bedrock resource types in
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html
// (foundation-model with no account, inference-profile,
// application-inference-profile and custom-model with one).
func TestParseID(t *testing.T) {
	cases := []struct {
		id     string
		kind   IDKind
		base   string
		geo    string
		family Family
	}{
		{"anthropic.claude-3-haiku-20240307-v1:0", KindFoundationModel, "anthropic.claude-3-haiku-20240307-v1:0", "", FamilyAnthropic},
		{"amazon.nova-micro-v1:0", KindFoundationModel, "amazon.nova-micro-v1:0", "", FamilyNova},
		{"amazon.titan-text-express-v1", KindFoundationModel, "amazon.titan-text-express-v1", "", FamilyTitanText},
		{"amazon.titan-text-premier-v1:0", KindFoundationModel, "amazon.titan-text-premier-v1:0", "", FamilyTitanText},
		{"amazon.titan-embed-text-v2:0", KindFoundationModel, "amazon.titan-embed-text-v2:0", "", FamilyTitanEmbed},
		{"meta.llama3-1-70b-instruct-v1:0", KindFoundationModel, "meta.llama3-1-70b-instruct-v1:0", "", FamilyLlama},
		{"mistral.mistral-7b-instruct-v0:2", KindFoundationModel, "mistral.mistral-7b-instruct-v0:2", "", FamilyMistral},
		{"mistral.mixtral-8x7b-instruct-v0:1", KindFoundationModel, "mistral.mixtral-8x7b-instruct-v0:1", "", FamilyMistral},
		{"cohere.embed-english-v3", KindFoundationModel, "cohere.embed-english-v3", "", FamilyCohereEmbed},
		{"cohere.embed-multilingual-v3", KindFoundationModel, "cohere.embed-multilingual-v3", "", FamilyCohereEmbed},
		{"us.anthropic.claude-3-5-sonnet-20241022-v2:0", KindInferenceProfile, "anthropic.claude-3-5-sonnet-20241022-v2:0", "us", FamilyAnthropic},
		{"eu.amazon.nova-pro-v1:0", KindInferenceProfile, "amazon.nova-pro-v1:0", "eu", FamilyNova},
		{"apac.anthropic.claude-3-haiku-20240307-v1:0", KindInferenceProfile, "anthropic.claude-3-haiku-20240307-v1:0", "apac", FamilyAnthropic},
		{"us-gov.anthropic.claude-3-haiku-20240307-v1:0", KindInferenceProfile, "anthropic.claude-3-haiku-20240307-v1:0", "us-gov", FamilyAnthropic},
		{"global.anthropic.claude-sonnet-4-20250514-v1:0", KindInferenceProfile, "anthropic.claude-sonnet-4-20250514-v1:0", "global", FamilyAnthropic},
		{"us.amazon.nova-premier-v1:0", KindInferenceProfile, "amazon.nova-premier-v1:0", "us", FamilyNova},
		{"us.meta.llama3-2-11b-instruct-v1:0", KindInferenceProfile, "meta.llama3-2-11b-instruct-v1:0", "us", FamilyLlama},
		{"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2", KindFoundationModelARN, "anthropic.claude-v2", "", FamilyAnthropic},
		{"arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0:300k", KindFoundationModelARN, "amazon.nova-pro-v1:0:300k", "", FamilyNova},
		{"arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/meta.llama3-8b-instruct-v1:0", KindFoundationModelARN, "meta.llama3-8b-instruct-v1:0", "", FamilyLlama},
		{"arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0", KindInferenceProfileARN, "amazon.nova-pro-v1:0", "eu", FamilyNova},
		{"arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/a1b2c3d4e5f6", KindCustomModelARN, "amazon.titan-text-express-v1:0:8k", "", FamilyTitanText},
		{"arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6", KindApplicationInferenceProfileARN, "", "", FamilyUnknown},
		{"arn:aws:bedrock:us-east-1:123456789012:provisioned-model/a1b2c3d4e5f6", KindOtherARN, "", "", FamilyUnknown},
		{"arn:aws:s3:::bucket/amazon.nova-pro-v1:0", KindOtherARN, "", "", FamilyUnknown},
		{"amazon.nova-canvas-v1:0", KindFoundationModel, "amazon.nova-canvas-v1:0", "", FamilyUnknown},
	}
	for _, c := range cases {
		id := ParseID(c.id)
		if id.String() != c.id || id.Kind() != c.kind || id.Base() != c.base || id.Geography() != c.geo || id.Family() != c.family {
			t.Errorf("ParseID(%q) = %v %q %q %v; want %v %q %q %v", c.id, id.Kind(), id.Base(), id.Geography(), id.Family(), c.kind, c.base, c.geo, c.family)
		}
		if got := id.IsARN(); got != strings.HasPrefix(c.id, "arn:") {
			t.Errorf("ParseID(%q).IsARN() = %v", c.id, got)
		}
		if f, err := id.RequireFamily(); (err == nil) != (c.family != FamilyUnknown) || f != c.family {
			t.Errorf("ParseID(%q).RequireFamily() = %v, %v; want %v", c.id, f, err, c.family)
		}
	}
}

func TestRequireFamilyUnknownModel(t *testing.T) {
	for _, id := range []string{"", "amazon.titan-embed-text-v1", "amazon.nova-canvas-v1:0", "cohere.command-r-v1:0", "ai21.jamba-1-5-mini-v1:0", "deepseek.r1-v1:0", "us.mistral"} {
		_, err := ParseID(id).RequireFamily()
		var ue *UnknownModelError
		if !errors.As(err, &ue) || ue.ModelID != id || !strings.Contains(err.Error(), "anthropic.claude-*") {
			t.Errorf("ParseID(%q).RequireFamily(): %v, want an *UnknownModelError listing the supported families", id, err)
		}
	}
}

// An application inference profile's ARN ends in a generated id, not in a
// model name
// (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-create.html):
// its family cannot be told, and the error asks for the model.
func TestRequireFamilyApplicationProfile(t *testing.T) {
	const arn = "arn:aws:bedrock:eu-west-1:111122223333:application-inference-profile/k9dq3xh1cw2z"
	_, err := ParseID(arn).RequireFamily()
	var ne *UnnamedModelError
	if !errors.As(err, &ne) || ne.ModelID != arn || !strings.Contains(err.Error(), "application inference profile") || !strings.Contains(err.Error(), "give the id of the model") {
		t.Fatalf("RequireFamily() = %v, want an *UnnamedModelError asking for the model", err)
	}
}

// BenchmarkParseID measures one parse: what each record paid twice before
// the local Bedrock parsed a job's model id once.
func BenchmarkParseID(b *testing.B) {
	for _, id := range []string{"anthropic.claude-3-haiku-20240307-v1:0", "us.amazon.nova-lite-v1:0", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0"} {
		b.Run(id, func(b *testing.B) {
			for b.Loop() {
				if ParseID(id).Family() == FamilyUnknown {
					b.Fatal("unknown family")
				}
			}
		})
	}
}

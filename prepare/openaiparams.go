package prepare

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// paramNotes counts what translating OpenAI requests changed, so that a
// run says it once per parameter rather than once per row.
type paramNotes struct {
	clamped map[string]int // by parameter: values clamped
	ranges  map[string]string
	dropped map[string]int // by parameter: requests it was dropped from
}

// warnings words the counts, one line per parameter, in a stable order.
func (n *paramNotes) warnings(modelID string) []string {
	var out []string
	for _, k := range sortedKeys(n.clamped) {
		out = append(out, fmt.Sprintf("%s: clamped %d value(s) into %s, the range %s accepts (--clamp)", k, n.clamped[k], n.ranges[k], modelID))
	}
	for _, k := range sortedKeys(n.dropped) {
		out = append(out, fmt.Sprintf("%s: dropped from %d request(s), as it has no meaning on Bedrock for %s (--drop-unsupported)", k, n.dropped[k], modelID))
	}
	return out
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func formatRange(r model.Range) string {
	return strconv.FormatFloat(r.Min, 'g', -1, 64) + " to " + strconv.FormatFloat(r.Max, 'g', -1, 64)
}

// fitOpenAI holds an OpenAI request's settings to what the model takes:
// parameters with no Bedrock meaning are refused (or dropped with
// DropUnsupported), values outside the catalogue's range are refused (or
// clamped with Clamp). The error names the parameter and the range.
func (s *openAISource) fitOpenAI(req model.OpenAIBatchRequest, p *model.Prompt) error {
	opts := s.opts
	unsupported := req.Unsupported()
	limits, chat := model.LimitsOf(s.model, opts.InvocationType)
	if chat && len(p.Stop) > 0 && !limits.Stop {
		unsupported = append(unsupported, "stop")
	}
	if p.Dimensions != 0 {
		if m, ok := model.ModelOf(s.model); !ok || m.Dimensions == nil {
			unsupported = append(unsupported, "dimensions")
		}
	}
	if len(unsupported) > 0 {
		if !opts.DropUnsupported {
			return fmt.Errorf("%s %s no meaning on Bedrock for %s (%s invocation): remove %s, or pass --drop-unsupported to drop %s with a warning",
				strings.Join(unsupported, ", "), map[bool]string{true: "has", false: "have"}[len(unsupported) == 1], opts.ModelID, invocationName(opts.InvocationType),
				map[bool]string{true: "it", false: "them"}[len(unsupported) == 1], map[bool]string{true: "it", false: "them"}[len(unsupported) == 1])
		}
		for _, k := range unsupported {
			s.notes.dropped[k]++
			switch k {
			case "stop":
				p.Stop = nil
			case "dimensions":
				p.Dimensions = 0
			}
		}
	}
	if !chat {
		return nil
	}
	fit := func(name string, v *float64, r *model.Range) error {
		if v == nil || r == nil || r.Contains(*v) {
			return nil
		}
		if !opts.Clamp {
			return fmt.Errorf("%s %s is outside %s, the range %s accepts (%s): set it within the range, or pass --clamp to clamp it",
				name, strconv.FormatFloat(*v, 'g', -1, 64), formatRange(*r), opts.ModelID, limits.Source)
		}
		*v = r.Clamp(*v)
		s.notes.clamped[name]++
		s.notes.ranges[name] = formatRange(*r)
		return nil
	}
	if err := fit("temperature", p.Temperature, limits.Temperature); err != nil {
		return err
	}
	if err := fit("top_p", p.TopP, limits.TopP); err != nil {
		return err
	}
	if p.MaxTokens != 0 {
		mt := float64(p.MaxTokens)
		if err := fit("max_tokens", &mt, &limits.MaxTokens); err != nil {
			return err
		}
		p.MaxTokens = int(mt)
	}
	return nil
}

func invocationName(t string) string {
	if t == "" {
		return batch.InvocationInvokeModel
	}
	return t
}

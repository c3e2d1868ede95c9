package prepare

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/model"
)

// checkSettings holds the generation flags to the model catalogue's ranges,
// so that prepare never writes a body Bedrock would refuse for them. For an
// OpenAI file the flags are defaults of each request, held to the ranges
// with the request's own values (see fitOpenAI).
func checkSettings(opts Options, id model.ID) error {
	if strings.ToLower(opts.Format) == FormatOpenAI {
		return nil
	}
	limits, ok := model.LimitsOf(id, opts.InvocationType)
	if !ok {
		return nil
	}
	check := func(flag string, v *float64, r *model.Range) error {
		if v == nil || r == nil || r.Contains(*v) {
			return nil
		}
		return fmt.Errorf("--%s %s is outside %s, the range %s accepts (%s)", flag, strconv.FormatFloat(*v, 'g', -1, 64), formatRange(*r), opts.ModelID, limits.Source)
	}
	if err := check("temperature", opts.Temperature, limits.Temperature); err != nil {
		return err
	}
	if err := check("top-p", opts.TopP, limits.TopP); err != nil {
		return err
	}
	if opts.MaxTokens != 0 {
		mt := float64(opts.MaxTokens)
		return check("max-tokens", &mt, &limits.MaxTokens)
	}
	return nil
}

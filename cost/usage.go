package cost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
	"github.com/bedrockbatch/bedrockbatch/table"
)

// FromPaths measures usage from files, directories or s3:// prefixes:
// from the finished jobs' manifest.json.out files when there are any,
// else from the input manifests (*.jsonl), whose records' tokens are
// estimated (see FromManifests).
func FromPaths(ctx context.Context, store *table.Store, paths []string, modelID, invocationType string, outputPerRecord int) (Usage, error) {
	var summaries, manifests []string
	for _, p := range paths {
		objs, err := store.List(ctx, p, manifest.SummaryName, ".jsonl")
		if err != nil {
			return Usage{}, err
		}
		for _, o := range objs {
			if path.Base(strings.ReplaceAll(o.Path, "\\", "/")) == manifest.SummaryName {
				summaries = append(summaries, o.Path)
			} else if strings.HasSuffix(o.Path, ".jsonl") {
				manifests = append(manifests, o.Path)
			}
		}
	}
	switch {
	case len(summaries) > 0:
		return FromSummaries(ctx, store, summaries)
	case len(manifests) > 0:
		return FromManifests(ctx, store, manifests, model.ParseID(modelID), invocationType, outputPerRecord)
	}
	return Usage{}, fmt.Errorf("no manifests (*.jsonl) or finished jobs (%s) in %s", manifest.SummaryName, strings.Join(paths, ", "))
}

// FromSummaries adds up the token counts finished jobs report.
func FromSummaries(ctx context.Context, store *table.Store, files []string) (Usage, error) {
	u := Usage{Source: fmt.Sprintf("%d finished jobs (%s)", len(files), manifest.SummaryName)}
	for _, f := range files {
		r, _, err := store.Open(ctx, f)
		if err != nil {
			return u, err
		}
		s, err := manifest.ReadSummary(r)
		r.Close()
		if err != nil {
			return u, fmt.Errorf("%s: %w", f, err)
		}
		u.Records += s.ProcessedRecordCount
		u.InputTokens += s.InputTokenCount
		u.OutputTokens += s.OutputTokenCount
	}
	return u, nil
}

// FromManifests estimates the usage of input manifests: each record's
// prompt tokens are counted (an estimate: each model has its own
// tokenizer), and its answer is taken as outputPerRecord tokens, or when
// that is 0 as the record's token limit, an upper bound. A record the
// model would refuse is an error naming its file and line.
func FromManifests(ctx context.Context, store *table.Store, files []string, id model.ID, invocationType string, outputPerRecord int) (Usage, error) {
	u := Usage{Source: fmt.Sprintf("%d manifests (tokens estimated)", len(files)), OutputIsLimit: outputPerRecord == 0}
	for _, f := range files {
		r, _, err := store.Open(ctx, f)
		if err != nil {
			return u, err
		}
		err = func() error {
			defer r.Close()
			rd := manifest.NewReader(r, f, 0)
			for {
				rec, err := rd.Next()
				if errors.Is(err, io.EOF) {
					return nil
				}
				if err != nil {
					return err
				}
				info, err := model.CheckRequest(id, invocationType, rec.ModelInput)
				if err != nil {
					return fmt.Errorf("%s line %d: %v", f, rec.Line, err)
				}
				u.Records++
				u.InputTokens += int64(info.InputTokens)
				if outputPerRecord > 0 {
					u.OutputTokens += int64(outputPerRecord)
				} else {
					u.OutputTokens += int64(info.MaxTokens)
				}
			}
		}()
		if err != nil {
			return u, err
		}
	}
	return u, nil
}

// Package prepare turns a user's table into Bedrock batch manifests: each
// row becomes one record per prompt template (or the template its row
// names), written in the request format of the model's family or as a
// Converse request, and the records are spread over files of one job each
// so that no file or job breaks a quota and every job has enough records.
//
// An OpenAI Batch API input file (chat completions or embeddings) is
// translated request by request instead, keeping each custom_id as the
// record id.
//
// Records are streamed through a temporary spool file on disk, counted,
// and then split: memory stays flat whatever the input's size.
package prepare

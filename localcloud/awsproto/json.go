package awsproto

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
)

// MaxJSONBody bounds the size of a JSON request body the services accept.
const MaxJSONBody = 16 << 20

// DecodeJSON reads a JSON request body into v. An empty body decodes as {}.
// A malformed body is a SerializationException, as the services report it.
func DecodeJSON(r io.Reader, v any) error {
	b, err := io.ReadAll(io.LimitReader(r, MaxJSONBody+1))
	if err != nil {
		return Errorf(http.StatusBadRequest, "SerializationException", "reading the request body: %v", err)
	}
	if len(b) > MaxJSONBody {
		return Errorf(http.StatusRequestEntityTooLarge, "SerializationException", "the request body is larger than %d bytes", MaxJSONBody)
	}
	if len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return Errorf(http.StatusBadRequest, "SerializationException", "the request body is not valid JSON for this operation: %v", err)
	}
	return nil
}

// WriteJSON writes v as a JSON response with the given status and content
// type ("application/json" for REST-JSON, "application/x-amz-json-1.1" …).
func WriteJSON(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		WriteRESTJSONError(w, Errorf(http.StatusInternalServerError, "InternalFailure", "encoding the response: %v", err))
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

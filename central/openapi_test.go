package central

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/absher-kiosk/kiosk/sync/api"
)

// TestEveryDocumentedPathIsServed calls each operation of openapi.yaml on
// the real server. A route that does not exist answers the catch-all
// not_found (or 405); anything else proves it is served. Every error body
// must validate against the document's ErrorResponse.
func TestEveryDocumentedPathIsServed(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	errSchema := doc.Components.Schemas["ErrorResponse"].Value
	h := newHarness(t)
	n := 0
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			n++
			url := strings.NewReplacer("{vid}", "unknown", "{id}", "kiosk-001", "{service}", "update_mobile").Replace(path)
			cn := "kiosk-001"
			if strings.HasPrefix(path, "/v1/ops/") {
				cn = "ops"
			}
			var body any
			if method != "GET" {
				body = "{}"
			}
			r := h.do(cn, method, url, "", body)
			if r.status == 405 || (r.status == 404 && strings.Contains(r.err().Message, "no such endpoint")) {
				t.Errorf("%s %s is documented but not served: %d %s", method, path, r.status, r.body)
			}
			if r.status >= 400 {
				var v any
				json.Unmarshal(r.body, &v)
				if err := errSchema.VisitJSON(v); err != nil {
					t.Errorf("%s %s error body %s does not match ErrorResponse: %v", method, path, r.body, err)
				}
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d operations in the document", n)
	}
}

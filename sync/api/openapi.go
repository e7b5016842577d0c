package api

import _ "embed"

// OpenAPI is openapi.yaml: the same contract for other implementations.
//
//go:embed openapi.yaml
var OpenAPI []byte

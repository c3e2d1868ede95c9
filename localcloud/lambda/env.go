package lambda

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// processEnv is the environment of a runtime process of fn, as Lambda sets
// it: the function's variables, then Lambda's own (reserved, so they win),
// credentials, and AWS_ENDPOINT_URL so that the function's SDK calls reach
// the local cloud. PATH comes from this machine, so that interpreters and
// the tools a bootstrap calls are found.
func (s *Service) processEnv(fn Function, runtimeAPI, endpoint string) []string {
	env := map[string]string{}
	for k, v := range fn.Environment {
		env[k] = v
	}
	set := func(k, v string) { env[k] = v }
	set("PATH", os.Getenv("PATH"))
	set("LANG", "en_US.UTF-8")
	set("TZ", ":UTC")
	set("AWS_REGION", s.opts.Region)
	set("AWS_DEFAULT_REGION", s.opts.Region)
	set("AWS_EXECUTION_ENV", "AWS_Lambda_"+fn.Runtime)
	set("AWS_LAMBDA_FUNCTION_NAME", fn.Name)
	set("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
	set("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", strconv.Itoa(fn.MemorySize))
	set("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
	set("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/"+fn.Name)
	set("AWS_LAMBDA_LOG_STREAM_NAME", "local/[$LATEST]"+fn.Name)
	set("AWS_LAMBDA_RUNTIME_API", runtimeAPI)
	set("_HANDLER", fn.Handler)
	set("LAMBDA_TASK_ROOT", fn.CodeDir)
	set("LAMBDA_RUNTIME_DIR", fn.CodeDir)
	set("AWS_ACCESS_KEY_ID", AccessKeyID)
	set("AWS_SECRET_ACCESS_KEY", SecretAccessKey)
	set("AWS_SESSION_TOKEN", SessionToken)
	if endpoint != "" {
		set("AWS_ENDPOINT_URL", endpoint)
	}
	if strings.HasPrefix(fn.Runtime, "python") {
		// Lines reach the log as they are printed, as in Lambda.
		set("PYTHONUNBUFFERED", "1")
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// The credentials a function's process is given. The local cloud checks
// no signature; Lambda always gives temporary credentials, with a token.
const (
	AccessKeyID     = "LOCALCLOUD"
	SecretAccessKey = "localcloud"
	SessionToken    = "localcloud-session"
)

// reservedEnv are the variables Lambda sets itself; a function's
// configuration may not set them.
var reservedEnv = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true,
	"AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true,
	"LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

// validateEnv refuses environment variables Lambda refuses: reserved
// names, and names that are not [a-zA-Z][a-zA-Z0-9_]*.
func validateEnv(fn Function) error {
	var reserved []string
	for k := range fn.Environment {
		if reservedEnv[k] {
			reserved = append(reserved, k)
			continue
		}
		if !validEnvName(k) {
			return fmt.Errorf("lambda: function %s: environment variable name %q must start with a letter and hold only letters, digits and underscores", fn.Name, k)
		}
	}
	if len(reserved) > 0 {
		sort.Strings(reserved)
		return fmt.Errorf("lambda: function %s: the environment sets %s, which Lambda sets itself and does not let a function change; rename or drop them",
			fn.Name, strings.Join(reserved, ", "))
	}
	return nil
}

func validEnvName(k string) bool {
	for i, c := range k {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '_')) {
			return false
		}
	}
	return k != ""
}

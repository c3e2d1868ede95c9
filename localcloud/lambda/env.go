package lambda

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

type envKey struct{}

// Getenv returns the environment variable key as the function being
// invoked sees it: in the local cloud, the function's deployed Environment
// and the variables Lambda sets (AWS_LAMBDA_FUNCTION_NAME, AWS_REGION, …);
// elsewhere — in Lambda itself, or outside any invocation — the process
// environment. The local cloud runs every function in one process, where
// os.Setenv would leak one function's variables into another's, so a
// handler that reads its settings with Getenv(ctx, …) gets its own in both.
func Getenv(ctx context.Context, key string) string {
	v, _ := LookupEnv(ctx, key)
	return v
}

// LookupEnv is Getenv that also reports whether the variable is set.
func LookupEnv(ctx context.Context, key string) (string, bool) {
	if env, ok := ctx.Value(envKey{}).(map[string]string); ok {
		v, set := env[key]
		return v, set
	}
	return os.LookupEnv(key)
}

// withEnv returns ctx carrying fn's environment for an invocation.
func withEnv(ctx context.Context, fn Function, region string) context.Context {
	env := make(map[string]string, len(fn.Environment)+6)
	for k, v := range fn.Environment {
		env[k] = v
	}
	env["AWS_LAMBDA_FUNCTION_NAME"] = fn.Name
	env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
	env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = strconv.Itoa(fn.MemorySize)
	env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + fn.Name
	env["AWS_REGION"] = region
	env["AWS_DEFAULT_REGION"] = region
	return context.WithValue(ctx, envKey{}, env)
}

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

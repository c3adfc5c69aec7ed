// Command lambda is a test function for the runtime package. Its payload
// {"mode": ...} selects a behaviour: echo, error, panic, sleep, exit, env,
// spawn. With LH_INIT_ERROR=1 it reports an init error instead of starting.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type request struct {
	Mode    string `json:"mode"`
	SleepMS int    `json:"sleep_ms"`
	Text    string `json:"text"`
}

type response struct {
	Text     string            `json:"text,omitempty"`
	PID      int               `json:"pid"`
	Child    int               `json:"child,omitempty"`
	Env      map[string]string `json:"env,omitempty"`
	Deadline int64             `json:"deadline_ms,omitempty"`
	ARN      string            `json:"arn,omitempty"`
	Request  string            `json:"request_id,omitempty"`
}

func handle(ctx context.Context, req request) (response, error) {
	resp := response{PID: os.Getpid()}
	switch req.Mode {
	case "echo":
		resp.Text = req.Text
	case "error":
		return resp, errors.New("told to fail")
	case "panic":
		panic("told to panic")
	case "sleep":
		time.Sleep(time.Duration(req.SleepMS) * time.Millisecond)
	case "exit":
		os.Exit(3)
	case "env":
		resp.Env = map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			resp.Env[k] = v
		}
		d, _ := ctx.Deadline()
		resp.Deadline = d.UnixMilli()
		lc, _ := lambdacontext.FromContext(ctx)
		resp.ARN, resp.Request = lc.InvokedFunctionArn, lc.AwsRequestID
	case "spawn":
		cmd := exec.Command("sleep", "60")
		if err := cmd.Start(); err != nil {
			return resp, err
		}
		resp.Child = cmd.Process.Pid
	default:
		return resp, fmt.Errorf("unknown mode %q", req.Mode)
	}
	return resp, nil
}

func main() {
	if os.Getenv("LH_INIT_ERROR") == "1" {
		url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
		body := strings.NewReader(`{"errorMessage":"missing config","errorType":"Runtime.ConfigError"}`)
		resp, err := http.Post(url, "application/json", body)
		if err == nil {
			resp.Body.Close()
		}
		os.Exit(1)
	}
	lambda.Start(handle)
}

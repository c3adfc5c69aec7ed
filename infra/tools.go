//go:build tools

// Package infra pins modules that the project's packages import, so that go mod
// tidy keeps them while those packages are being written.
package infra

import (
	_ "github.com/aws/aws-lambda-go/lambda"
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	_ "github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	_ "github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	_ "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	_ "github.com/aws/aws-sdk-go-v2/service/sesv2"
	_ "github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	_ "github.com/awslabs/goformation/v7"
	_ "github.com/chromedp/chromedp"
	_ "github.com/coder/websocket"
	_ "github.com/dchest/captcha"
	_ "github.com/google/go-cmp/cmp"
	_ "golang.org/x/crypto/bcrypt"
	_ "gopkg.in/yaml.v3"
)

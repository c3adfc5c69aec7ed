#!/usr/bin/env bash
# Deploys template.yaml to a running LocalStack (docker-compose.yml beside
# this script) and prints the stack's URLs and the variables `make e2e`
# reads. Needs go, the AWS CLI (v1 or v2) and curl; not the SAM CLI: the
# functions are built here with the contract's build line, the template's
# CodeUri folders are pointed at the builds, and CloudFormation (with the
# SAM transform, which LocalStack runs) does the rest.
#
# Environment (all optional):
#   LOCALSTACK_ENDPOINT   LocalStack's gateway (http://localhost:4566)
#   LIVEHELP_STACK        stack name (livehelp)
#   LIVEHELP_SENDER_EMAIL SenderEmail parameter (noreply@example.com; the
#                         ready hook verifies the same address)
#   LIVEHELP_GOARCH       amd64 or arm64; default: the Docker host's, since
#                         docker-compose.yml sets LAMBDA_IGNORE_ARCHITECTURE=1
#   LIVEHELP_SEED=1       also create a test site and operator with
#                         livehelpctl and print their LIVEHELP_* variables
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
endpoint=${LOCALSTACK_ENDPOINT:-http://localhost:4566}
stack=${LIVEHELP_STACK:-livehelp}
sender=${LIVEHELP_SENDER_EMAIL:-noreply@example.com}
bucket=${LIVEHELP_ARTIFACTS_BUCKET:-livehelp-artifacts}
region=us-east-1
build="$here/.build"
functions=(status chat offline sweep mailer console)

# LocalStack accepts any credentials; the AWS CLI wants some.
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_DEFAULT_REGION=$region AWS_PAGER=""
aws_ls() { aws --endpoint-url "$endpoint" --region "$region" "$@"; }
die() { echo "deploy.sh: $*" >&2; exit 1; }

for tool in go aws curl; do
  command -v "$tool" >/dev/null || die "$tool is not installed (see localstack/README.md)"
done

echo "==> waiting for LocalStack at $endpoint and its ready hooks"
for _ in $(seq 60); do
  if curl -fs "$endpoint/_localstack/init/ready" 2>/dev/null | grep -q '"completed": *true'; then
    ready=1
    break
  fi
  sleep 2
done
[ "${ready:-}" = 1 ] || die "LocalStack is not ready at $endpoint: docker compose -f localstack/docker-compose.yml up -d (with LOCALSTACK_AUTH_TOKEN set), then docker logs localstack-main"

arch=${LIVEHELP_GOARCH:-}
if [ -z "$arch" ]; then
  case "$(docker info --format '{{.Architecture}}' 2>/dev/null || uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) arch=$(go env GOARCH) ;;
  esac
fi

echo "==> building the functions for linux/$arch"
rm -rf "$build"
mkdir -p "$build"
for fn in "${functions[@]}"; do
  (cd "$root" && CGO_ENABLED=0 GOOS=linux GOARCH="$arch" \
    go build -tags lambda.norpc -trimpath -ldflags="-s -w" -o "$build/$fn/bootstrap" "./functions/$fn")
done

# The same template, with each CodeUri pointing at its build folder.
cp "$root/template.yaml" "$build/template.yaml"
for fn in "${functions[@]}"; do
  n=$(grep -c "CodeUri: functions/$fn/\$" "$build/template.yaml" || true)
  [ "$n" = 1 ] || die "template.yaml has $n 'CodeUri: functions/$fn/' lines, want 1"
  sed -i.bak "s|CodeUri: functions/$fn/\$|CodeUri: $build/$fn/|" "$build/template.yaml"
done
rm -f "$build/template.yaml.bak"

echo "==> packaging to s3://$bucket and deploying stack $stack"
aws_ls cloudformation package --template-file "$build/template.yaml" --s3-bucket "$bucket" \
  --output-template-file "$build/packaged.yaml" >/dev/null
# LocalStack's CloudFormation updates resources only partly: a changed
# stack is more reliable deleted and created again (LIVEHELP_RECREATE=1).
if [ "${LIVEHELP_RECREATE:-}" = 1 ] && aws_ls cloudformation describe-stacks --stack-name "$stack" >/dev/null 2>&1; then
  aws_ls cloudformation delete-stack --stack-name "$stack"
  aws_ls cloudformation wait stack-delete-complete --stack-name "$stack"
fi
aws_ls cloudformation deploy --template-file "$build/packaged.yaml" --stack-name "$stack" \
  --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND --no-fail-on-empty-changeset \
  --parameter-overrides "SenderEmail=$sender" "AlarmEmail="

output() {
  aws_ls cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
physical() {
  aws_ls cloudformation describe-stack-resource --stack-name "$stack" --logical-resource-id "$1" \
    --query StackResourceDetail.PhysicalResourceId --output text 2>/dev/null || true
}

table=$(output TableName)
rest_id=$(physical RestApi)
rest_url="http://$rest_id.execute-api.localhost.localstack.cloud:4566/live"
ws_id=$(physical WebSocketApi)
ws_url=""
if [ -n "$ws_id" ] && [ "$ws_id" != None ]; then
  ws_endpoint=$(aws_ls apigatewayv2 get-api --api-id "$ws_id" --query ApiEndpoint --output text 2>/dev/null || true)
  [ -n "$ws_endpoint" ] && [ "$ws_endpoint" != None ] && ws_url="$ws_endpoint/live"
fi

echo
echo "Stack $stack on LocalStack:"
echo "  table         $table"
echo "  REST API      $rest_url"
echo "  console       $rest_url/console"
echo "  widget        $rest_url/widget.js"
echo "  WebSocket API ${ws_url:-none (API Gateway v2 needs a paid LocalStack plan)}"
echo "  sent mail     $endpoint/_aws/ses"
echo
echo "Outputs as CloudFormation reports them (AWS-style hostnames):"
aws_ls cloudformation describe-stacks --stack-name "$stack" --query "Stacks[0].Outputs" --output table

ctl() { (cd "$root" && go run ./infra/livehelpctl --table "$table" --endpoint-url "$endpoint" --region "$region" "$@"); }
if [ "${LIVEHELP_SEED:-}" = 1 ]; then
  echo
  echo "==> creating test site e2e and its operator with livehelpctl"
  if ! ctl site list --json | grep -q '"id": "e2e"'; then
    ctl site create --id e2e --name "End-to-end tests" --spam-protection=false
  fi
  email=e2e-$(date +%s)@example.com
  password=$(ctl operator create --site e2e --email "$email" --name "E2E Operator" --role admin --generate-password |
    sed -n 's/^password: //p')
  [ -n "$password" ] || die "livehelpctl printed no password"
  cat <<EOT

Run the end-to-end suite against this stack:
  export LIVEHELP_REST_URL=$rest_url
  export LIVEHELP_WS_URL=${ws_url:-none}
  export LIVEHELP_SITE=e2e
  export LIVEHELP_OPERATOR_EMAIL=$email
  export LIVEHELP_OPERATOR_PASSWORD=$password
  export LIVEHELP_MAIL_URL=$endpoint/_aws/ses
  make e2e
EOT
else
  echo
  echo "Create a site and an operator (or rerun with LIVEHELP_SEED=1):"
  echo "  go run ./infra/livehelpctl --table $table --endpoint-url $endpoint --region $region site create --id mysite --name 'My site'"
fi

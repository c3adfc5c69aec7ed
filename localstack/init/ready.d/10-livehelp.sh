#!/bin/bash
# LocalStack ready hook: creates what localstack/deploy.sh needs before it
# deploys template.yaml. Runs inside the LocalStack container when it is
# ready; safe to run again.
set -euo pipefail

region=us-east-1
bucket=${LIVEHELP_ARTIFACTS_BUCKET:-livehelp-artifacts}
sender=${LIVEHELP_SENDER_EMAIL:-noreply@example.com}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}

# The bucket `aws cloudformation package` uploads the function zips to.
if ! awslocal --region "$region" s3api head-bucket --bucket "$bucket" >/dev/null 2>&1; then
  awslocal --region "$region" s3 mb "s3://$bucket"
fi

# The SenderEmail identity. LocalStack verifies identities at once. The SES
# v1 API is on the free plan; SES v2 (what the functions send with) needs a
# paid plan, so its identity is created only where the API answers.
awslocal --region "$region" ses verify-email-identity --email-address "$sender"
if awslocal --region "$region" sesv2 create-email-identity --email-identity "$sender" >/dev/null 2>&1 ||
  awslocal --region "$region" sesv2 get-email-identity --email-identity "$sender" >/dev/null 2>&1; then
  echo "livehelp: SES v2 identity $sender ready"
else
  echo "livehelp: SES v2 is not available on this LocalStack plan: the mailer and console replies cannot send"
fi
echo "livehelp: bucket $bucket and sender $sender ready"

import { CustomResource } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type { Stack } from "sst/constructs";

/**
 * API Gateway writes access logs only once the account (per region) has a
 * CloudWatch role. CDK's `cloudWatchRole: true` makes that role part of one
 * stage's stack, so removing a dev stage would delete the role every other
 * stage in the account logs through. Instead this uses SST's own custom
 * resource (the one SST's WebSocketApi uses, served by the stack's SST
 * handler): it creates `apigateway-cloudwatch-logs-role` outside
 * CloudFormation only if the account has no role yet, and never deletes it.
 */
export function ensureApiGatewayLoggingRole(stack: Stack, id: string): CustomResource {
  const roleName = "apigateway-cloudwatch-logs-role";
  const roleArn = `arn:${stack.partition}:iam::${stack.account}:role/${roleName}`;
  const policy = new iam.Policy(stack, `${id}Policy`, {
    statements: [
      new iam.PolicyStatement({
        actions: ["apigateway:GET", "apigateway:PATCH"],
        resources: [`arn:${stack.partition}:apigateway:${stack.region}::/account`],
      }),
      new iam.PolicyStatement({ actions: ["iam:CreateRole", "iam:PassRole", "iam:AttachRolePolicy"], resources: [roleArn] }),
    ],
  });
  stack.customResourceHandler.role?.attachInlinePolicy(policy);
  const resource = new CustomResource(stack, id, {
    serviceToken: stack.customResourceHandler.functionArn,
    resourceType: "Custom::APIGatewayCloudWatchRole",
    properties: { roleName, roleArn },
  });
  resource.node.addDependency(policy);
  return resource;
}

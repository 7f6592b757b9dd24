import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import { S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import * as s3 from "aws-cdk-lib/aws-s3";
import type { StackContext } from "sst/constructs";

const indexPage = "index.html";

/**
 * Where the web app is served from: a private bucket behind a CloudFront
 * distribution. Only the hosting, not the app: the Api stack needs the app's
 * origin for CORS, and the app's build needs the API's URL, so the site is
 * split in two stacks, this one before Api and `Web` (which builds the app
 * and uploads it here) after it. With the whole site in one stack on either
 * side, CloudFormation would see the two stacks import from each other.
 */
export function WebHosting({ stack, app }: StackContext) {
  const bucket = new s3.Bucket(stack, "SiteBucket", {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    // Build output, uploaded again by every deploy: nothing to keep, prod included.
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
  });

  const distribution = new cloudfront.Distribution(stack, "SiteDistribution", {
    comment: `coach ${app.stage} web app`,
    defaultRootObject: indexPage,
    httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    defaultBehavior: {
      // Origin access control: CloudFront reads the bucket with s3:GetObject, nobody else can.
      origin: S3BucketOrigin.withOriginAccessControl(bucket),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
    },
    // The app routes in the browser: /callback, /silent-callback and any deep
    // link are no objects, which S3 answers 403 (CloudFront may not list the
    // bucket) or 404. Not cached, so a deploy never meets a stale miss.
    errorResponses: [403, 404].map((httpStatus) => ({
      httpStatus,
      responseHttpStatus: 200,
      responsePagePath: `/${indexPage}`,
      ttl: Duration.seconds(0),
    })),
  });

  return { bucket, distribution, origin: `https://${distribution.distributionDomainName}` };
}

import { Stack } from "aws-cdk-lib";
import { StaticSite } from "sst/constructs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { httpRoutes } from "../packages/functions/src/manifest";
import { environmentOf, ownFunctions, resolveImports, resources, restMethods, synthesize, testJwtEnv, type Resource, type Synthesized } from "./testing";

/**
 * The web app's deployment: WebHosting (bucket + distribution) before Api,
 * Web (the StaticSite that builds and uploads the app) after it, and the REST
 * API's CORS naming exactly the distribution's origin. Synthesized without
 * bundling: StaticSite's build and upload are deferred to `app.finish()`, so
 * what the app is built with is read from the construct (stacks.test.ts's one
 * real build checks the upload).
 */
const extraOrigin = "https://admin.example.test";
const webClientId = "coach-web-client";

let dev: Synthesized;
let staging: Synthesized;
let prod: Synthesized;

beforeAll(async () => {
  dev = await synthesize("dev", { build: false });
  vi.stubEnv("COACH_JWT_ISSUER", testJwtEnv.COACH_JWT_ISSUER);
  vi.stubEnv("COACH_JWT_AUDIENCE", testJwtEnv.COACH_JWT_AUDIENCE);
  prod = await synthesize("prod", { build: false });
  vi.stubEnv("COACH_CORS_ORIGINS", extraOrigin);
  vi.stubEnv("COACH_OIDC_CLIENT_ID", webClientId);
  vi.stubEnv("COACH_OIDC_SCOPE", "openid email");
  staging = await synthesize("staging", { build: false });
}, 180_000);

afterAll(() => {
  vi.unstubAllEnvs();
});

const only = (template: Synthesized["api"], type: string): [string, Resource] => {
  const found = [...resources(template, type)];
  expect(found.map(([id]) => id), type).toHaveLength(1);
  return found[0]!;
};

/**
 * The site's origin, `https://` and the WebHosting distribution's DomainName,
 * as WebHosting would write it; other stacks import it (`resolveImports`).
 */
function siteOrigin(synth: Synthesized, { quote = "", then = [] as string[] } = {}): unknown {
  const [distributionId] = only(synth.webHosting, "AWS::CloudFront::Distribution");
  const domainName = { "Fn::GetAtt": [distributionId, "DomainName"] };
  return { "Fn::Join": ["", [`${quote}https://`, domainName, ...(quote ? [quote] : []), ...then]] };
}

/** `value` of a stack other than WebHosting, its imports resolved to what they name. */
const resolved = (synth: Synthesized, value: unknown) => resolveImports(value, synth.all);

const preflights = (synth: Synthesized) => [...resources(synth.api, "AWS::ApiGateway::Method").values()].filter((method) => method.Properties?.HttpMethod === "OPTIONS");

const preflightResponse = (method: Resource) =>
  (method.Properties?.Integration as { IntegrationResponses: { ResponseParameters: Record<string, unknown>; ResponseTemplates?: Record<string, string> }[] })
    .IntegrationResponses[0]!;

const siteOf = (synth: Synthesized): StaticSite => {
  const sites = synth.app.node.findAll().filter((construct): construct is StaticSite => construct instanceof StaticSite);
  expect(sites).toHaveLength(1);
  return sites[0]!;
};

/** What the app is built with (StaticSite `environment`), resolved as CloudFormation values. */
const buildEnvironmentOf = (synth: Synthesized): Record<string, unknown> => {
  const site = siteOf(synth);
  return Stack.of(site).resolve(site.getConstructMetadata().data.environment) as Record<string, unknown>;
};

const outputValue = (template: Synthesized["api"], name: string): unknown =>
  (template.toJSON() as { Outputs: Record<string, { Value: unknown }> }).Outputs[name]?.Value;

describe("WebHosting", () => {
  it("keeps the site's bucket private: public access blocked, TLS only, readable by this distribution alone through origin access control", () => {
    for (const synth of [dev, prod]) {
      const [bucketId, bucket] = only(synth.webHosting, "AWS::S3::Bucket");
      expect(bucket.Properties?.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect(bucket.Properties?.WebsiteConfiguration, "no S3 website endpoint").toBeUndefined();

      const [distributionId, distribution] = only(synth.webHosting, "AWS::CloudFront::Distribution");
      const [oacId, oac] = only(synth.webHosting, "AWS::CloudFront::OriginAccessControl");
      expect(oac.Properties?.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: "s3", SigningBehavior: "always", SigningProtocol: "sigv4" });
      const origins = (distribution.Properties?.DistributionConfig as { Origins: Record<string, unknown>[] }).Origins;
      expect(origins).toEqual([
        expect.objectContaining({
          DomainName: { "Fn::GetAtt": [bucketId, "RegionalDomainName"] },
          OriginAccessControlId: { "Fn::GetAtt": [oacId, "Id"] },
          S3OriginConfig: { OriginAccessIdentity: "" },
        }),
      ]);

      const [, policy] = only(synth.webHosting, "AWS::S3::BucketPolicy");
      const statements = (policy.Properties?.PolicyDocument as { Statement: { Effect: string; Principal: unknown; Action: unknown; Condition?: unknown }[] }).Statement;
      const denyInsecure = statements.filter((statement) => statement.Effect === "Deny");
      expect(denyInsecure).toEqual([expect.objectContaining({ Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } })]);
      const readers = statements.filter((statement) => statement.Effect === "Allow" && JSON.stringify(statement.Principal).includes("cloudfront"));
      expect(readers).toEqual([
        expect.objectContaining({
          Action: "s3:GetObject",
          Principal: { Service: "cloudfront.amazonaws.com" },
          Condition: { StringEquals: { "AWS:SourceArn": expect.objectContaining({ "Fn::Join": ["", expect.arrayContaining([{ Ref: distributionId }])] }) } },
        }),
      ]);
      // Besides CloudFront, only CDK's auto-delete provider (it empties the bucket when the stage goes).
      for (const statement of statements.filter((s) => s.Effect === "Allow" && !readers.includes(s))) {
        expect(JSON.stringify(statement.Principal)).toMatch(/CustomS3AutoDeleteObjectsCustomResourceProviderRole/);
      }
    }
  });

  it("serves index.html at / and for every path S3 does not have (403 and 404 become /index.html with 200), over HTTPS only", () => {
    for (const synth of [dev, prod]) {
      const [, distribution] = only(synth.webHosting, "AWS::CloudFront::Distribution");
      const config = distribution.Properties?.DistributionConfig as Record<string, unknown>;
      expect(config.DefaultRootObject).toBe("index.html");
      expect(config.CustomErrorResponses).toEqual(
        [403, 404].map((code) => ({ ErrorCode: code, ResponseCode: 200, ResponsePagePath: "/index.html", ErrorCachingMinTTL: 0 })),
      );
      expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: "redirect-to-https", Compress: true });
    }
  });

  it("lets the site's files go with the stage, prod included: they are build output, uploaded again by every deploy", () => {
    for (const synth of [dev, prod]) {
      const [, bucket] = only(synth.webHosting, "AWS::S3::Bucket");
      expect(bucket.DeletionPolicy).toBe("Delete");
      expect(resources(synth.webHosting, "Custom::S3AutoDeleteObjects").size).toBe(1);
    }
  });
});

describe("the REST API's CORS", () => {
  it("answers every preflight with exactly the site's origin, and no other origin when COACH_CORS_ORIGINS adds none", () => {
    for (const synth of [dev, prod]) {
      const methods = preflights(synth);
      expect(methods.length).toBeGreaterThanOrEqual(new Set(httpRoutes.map((route) => route.path)).size);
      for (const method of methods) {
        const response = preflightResponse(method);
        expect(resolved(synth, response.ResponseParameters["method.response.header.Access-Control-Allow-Origin"])).toEqual(siteOrigin(synth, { quote: "'" }));
        expect(response.ResponseParameters["method.response.header.Vary"]).toBe("'Origin'");
        expect(response.ResponseTemplates, "no second origin to echo").toBeUndefined();
      }
    }
  });

  it("echoes an origin COACH_CORS_ORIGINS adds, and only it, besides answering the site's", () => {
    for (const method of preflights(staging)) {
      const response = preflightResponse(method);
      expect(resolved(staging, response.ResponseParameters["method.response.header.Access-Control-Allow-Origin"])).toEqual(siteOrigin(staging, { quote: "'" }));
      const template = response.ResponseTemplates?.["application/json"] ?? "";
      expect(template).toContain(`#if($origin == "${extraOrigin}")`);
      expect(template.match(/\$origin == "http/g)).toHaveLength(1);
    }
  });

  it("gives every REST function the same origins in CORS_ORIGINS, and the WebSocket functions none", () => {
    for (const synth of [dev, prod]) {
      const methods = restMethods(synth.api);
      expect(methods.size).toBe(httpRoutes.length);
      for (const [id, fn] of ownFunctions(synth.api)) expect(resolved(synth, environmentOf(fn).CORS_ORIGINS), id).toEqual(siteOrigin(synth));
      for (const [id, fn] of ownFunctions(synth.realtime)) expect(environmentOf(fn).CORS_ORIGINS, id).toBeUndefined();
    }
    for (const [id, fn] of ownFunctions(staging.api)) {
      expect(resolved(staging, environmentOf(fn).CORS_ORIGINS), id).toEqual(siteOrigin(staging, { then: [`,${extraOrigin}`] }));
    }
  });

  it("sends the site's origin on API Gateway's own 4xx and 5xx responses too (throttling, unknown paths)", () => {
    for (const synth of [dev, staging, prod]) {
      const responses = [...resources(synth.api, "AWS::ApiGateway::GatewayResponse").values()];
      expect(responses.map((response) => response.Properties?.ResponseType).sort()).toEqual(["DEFAULT_4XX", "DEFAULT_5XX"]);
      for (const response of responses) {
        const allowOrigin = (response.Properties?.ResponseParameters as Record<string, unknown>)["gatewayresponse.header.Access-Control-Allow-Origin"];
        expect(resolved(synth, allowOrigin)).toEqual(siteOrigin(synth, { quote: "'" }));
      }
    }
  });
});

describe("Web", () => {
  it("builds the app against this stage's API and WebSocket URLs (those its stacks output) and signs in at the JWT issuer", () => {
    for (const synth of [dev, prod]) {
      expect(buildEnvironmentOf(synth)).toEqual({
        VITE_API_URL: outputValue(synth.api, "ApiUrl"),
        VITE_WS_URL: outputValue(synth.realtime, "WebSocketUrl"),
        VITE_OIDC_AUTHORITY: synth.config.jwt.issuer,
        VITE_OIDC_CLIENT_ID: synth.config.jwt.audience,
      });
    }
    expect(buildEnvironmentOf(prod)).toMatchObject({ VITE_OIDC_AUTHORITY: testJwtEnv.COACH_JWT_ISSUER, VITE_OIDC_CLIENT_ID: testJwtEnv.COACH_JWT_AUDIENCE });
  });

  it("takes the client id and scope from COACH_OIDC_CLIENT_ID and COACH_OIDC_SCOPE when set", () => {
    expect(buildEnvironmentOf(staging)).toMatchObject({
      VITE_OIDC_AUTHORITY: testJwtEnv.COACH_JWT_ISSUER,
      VITE_OIDC_CLIENT_ID: webClientId,
      VITE_OIDC_SCOPE: "openid email",
    });
  });

  it("deploys into WebHosting's bucket and distribution instead of creating its own, and outputs the site's URL", () => {
    for (const synth of [dev, staging, prod]) {
      const site = siteOf(synth);
      const hosting = `${synth.config.stage}-coach-WebHosting`;
      expect(Stack.of(site).stackName).toBe(`${synth.config.stage}-coach-Web`);
      expect(site.cdk?.bucket.node.path).toBe(`${hosting}/SiteBucket`);
      expect(site.cdk?.distribution.node.path).toBe(`${hosting}/SiteDistribution`);
      expect(resources(synth.web, "AWS::S3::Bucket").size).toBe(0);
      expect(resources(synth.web, "AWS::CloudFront::Distribution").size).toBe(0);
      expect(resolved(synth, outputValue(synth.web, "WebUrl"))).toEqual(siteOrigin(synth));
    }
  });

  it("makes no cycle on any stage: WebHosting needs nothing, Api needs WebHosting, no stack needs Web", () => {
    for (const synth of [dev, staging, prod]) {
      const stage = synth.config.stage;
      const stacks = synth.app.node.children.filter((child): child is Stack => child instanceof Stack);
      const dependenciesOf = (name: string) => stacks.find((stack) => stack.stackName === `${stage}-coach-${name}`)!.dependencies.map((stack) => stack.stackName).sort();
      expect(dependenciesOf("WebHosting")).toEqual([]);
      expect(dependenciesOf("Api")).toEqual([`${stage}-coach-Realtime`, `${stage}-coach-Storage`, `${stage}-coach-WebHosting`]);
      for (const stack of stacks) expect(stack.dependencies.map((dependency) => dependency.stackName), stack.stackName).not.toContain(`${stage}-coach-Web`);
      // Web's own needs of Api and Realtime come with the upload, deferred to app.finish(): stacks.test.ts's build checks them.
      expect(dependenciesOf("Web")).toContain(`${stage}-coach-WebHosting`);
    }
  });
});

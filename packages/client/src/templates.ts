/**
 * The questionnaire templates a user can start a session from
 * (`/api/templates…`), with the user's JWT. Operators put templates with an
 * API key (`PUT /api/templates/{id}`, `pnpm template`); that is not a user's
 * call, so it is not here.
 */
import { bearer, HttpClient, seg, type HttpOptions, type TokenSource } from "./http";
import type { Template, TemplatePage, TemplateSummary } from "./types";

export type TemplateClientOptions = HttpOptions & TokenSource;

/**
 * ```ts
 * const templates = new TemplateClient({ baseUrl: "http://127.0.0.1:3000", token });
 * const { templates: [first] } = await templates.listTemplates();
 * const session = await conversations.createSession({ flow: "questionnaire", templateId: first.id });
 * ```
 */
export class TemplateClient {
  private readonly http: HttpClient;

  constructor(options: TemplateClientOptions) {
    this.http = new HttpClient(options, bearer(options));
  }

  /** One page of templates by id, each as its latest version's summary. */
  async listTemplates(options: { limit?: number; cursor?: string } = {}): Promise<TemplatePage> {
    return (await this.http.request<TemplatePage>("GET", "/api/templates", { query: options })).body;
  }

  /** Every template, page after page. */
  async *templates(options: { pageSize?: number } = {}): AsyncGenerator<TemplateSummary, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.listTemplates({ limit: options.pageSize, cursor });
      yield* page.templates;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /** A template with its questions: the latest version, or `version` (the one a session pinned). */
  async getTemplate(templateId: string, options: { version?: number } = {}): Promise<Template> {
    return (await this.http.request<Template>("GET", `/api/templates/${seg(templateId)}`, { query: options })).body;
  }
}

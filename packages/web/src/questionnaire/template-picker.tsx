/** The "New session" dialog's choice of questionnaire template: a radio group of the templates, each with its description. */
import type { TemplateSummary } from "@coach/client";
import { useEffect, useId, useState } from "preact/hooks";
import { useApi } from "../api";
import { errorText } from "../errors";

interface TemplatePickerProps {
  value: string | undefined;
  onChange: (template: TemplateSummary) => void;
}

export function TemplatePicker({ value, onChange }: TemplatePickerProps) {
  const { templates } = useApi();
  const [list, setList] = useState<TemplateSummary[]>();
  const [error, setError] = useState<string>();
  const id = useId();

  useEffect(() => {
    let current = true;
    (async () => {
      const all: TemplateSummary[] = [];
      for await (const template of templates.templates({ pageSize: 100 })) all.push(template);
      return all;
    })().then(
      (all) => current && setList(all),
      (failure: unknown) => current && setError(errorText(failure)),
    );
    return () => {
      current = false;
    };
  }, [templates]);

  return (
    <fieldset class="field choices templates">
      <legend>Template</legend>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!list && !error && (
        <p class="muted" role="status">
          Loading templates…
        </p>
      )}
      {list?.length === 0 && <p class="muted">No questionnaire templates yet: ask an operator to add one.</p>}
      {list?.map((template) => (
        <div key={template.id} class="choice template-choice">
          {/* Required: the form does not submit until one is chosen. */}
          <input
            type="radio"
            id={`${id}-${template.id}`}
            name="template"
            value={template.id}
            required
            checked={value === template.id}
            aria-describedby={`${id}-${template.id}-about`}
            onChange={() => onChange(template)}
          />
          <span>
            <label for={`${id}-${template.id}`}>{template.title}</label>
            <span id={`${id}-${template.id}-about`} class="muted small template-about">
              {template.description ? `${template.description} · ` : ""}
              {template.questionCount === 1 ? "1 question" : `${template.questionCount} questions`}
            </span>
          </span>
        </div>
      ))}
    </fieldset>
  );
}

import type * as Session from "../conversation/session";
import { loadFlowState } from "../flow/state";
import { questionnaire } from "./flow";
import { currentQuestion, progressOf, viewOf, type Progress, type QuestionView } from "./state";

/**
 * The question a questionnaire session asks now, and its progress: what a
 * client that joins (or resumes) is shown first. Undefined when every
 * question is done.
 */
export async function nowAsking(session: Session.Info): Promise<{ question: QuestionView; progress: Progress } | undefined> {
  const { state } = await loadFlowState(session.id, questionnaire);
  const parsed = questionnaire.stateSchema.parse(state);
  const question = currentQuestion(parsed);
  return question ? { question: viewOf(question), progress: progressOf(parsed) } : undefined;
}

export { parseAnswer, parseDate, type Answer, type ParsedAnswer } from "./answers";
export { renderDocument, NOT_ANSWERED } from "./document";
export { questionnaire, ANSWERING, COMPLETE } from "./flow";
export { QuestionnaireState, startQuestionnaire, currentQuestion, progressOf, viewOf, type Progress, type QuestionView } from "./state";
export { startSession, StartInput } from "./start";
export { nowAsking } from "./asking";
export { openForTemplate } from "./open";

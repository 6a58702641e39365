// The answer set verify.sh collects on a control plane (kubectl get --raw per path) and
// `picc verify --answers FILE` checks on the laptop: one JSON document,
//   {"kind": "VerifyAnswers", "cluster": NAME, "answers": {PATH: BODY or null (404)}}.

import { obj, str } from './json.js';
import type { Answers } from './paths.js';

export const ANSWERS_KIND = 'VerifyAnswers';

export type AnswersRead = { answers: Answers; cluster: string } | { problem: string };

export function parseAnswersFile(file: string, text: string): AnswersRead {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { problem: `${file} is not JSON (${(e as Error).message}); verify.sh writes it to its standard output, nothing else` };
  }
  const top = obj(doc);
  if (top['kind'] !== ANSWERS_KIND) return { problem: `${file} is not an answer set of verify.sh (its kind is not ${ANSWERS_KIND})` };
  const answers = top['answers'];
  if (answers === null || typeof answers !== 'object' || Array.isArray(answers)) return { problem: `${file} has no "answers" object` };
  return { answers: new Map(Object.entries(answers)), cluster: str(top['cluster']) ?? '' };
}

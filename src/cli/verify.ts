// `picc verify <spec>`: the live cluster against the spec. The expected values come from
// the plan (as `picc plan` makes it), the answers from the API server through the
// kubeconfig compile wrote (or --kubeconfig), or from a file verify.sh collected on a
// control plane (--answers). Prints the table of checks; exit 1 on any difference, or when
// the cluster cannot be asked (each a diagnostic, never a stack trace).

import { join } from 'node:path';
import { fileProblem } from '../diagnostics/report.js';
import { ApiFailure, DEFAULT_CLIENT, fetchAnswers } from '../verify/api.js';
import { parseAnswersFile } from '../verify/answers-file.js';
import { runChecks } from '../verify/checks.js';
import { expectedFromPlan } from '../verify/expected.js';
import { readKubeconfig } from '../verify/kubeconfig.js';
import { apiPaths, type Answers } from '../verify/paths.js';
import { resultTable } from '../verify/table.js';
import { planOfFiles } from './commands.js';
import { readText } from './inputs.js';
import { Exit, type Reporter } from './reporter.js';

export interface VerifyOptions {
  out: string;
  secrets?: string;
  kubeconfig?: string;
  answers?: string;
  /** Seconds per request. */
  timeout?: number;
}

export async function runVerify(spec: string, r: Reporter, opts: VerifyOptions): Promise<void> {
  // The expected values need no secret: without a secrets file, plan with throw-away ones (as `picc plan` does).
  const { plan } = await planOfFiles(spec, r, opts);
  const expected = expectedFromPlan(plan);

  const source = opts.answers !== undefined ? await answersFromFile(opts.answers, expected.cluster, r) : await answersFromServer(opts, join(opts.out, expected.cluster, 'admin.kubeconfig'), apiPaths(expected), r);
  const results = runChecks(expected, source.answers);
  for (const x of results.filter((x) => !x.ok)) {
    r.add(fileProblem(source.name, 'PICC701', `${x.check}: expected ${x.expected}, found ${x.found}`, 'see the table on standard output; fix the cluster or the spec'));
  }
  const differ = results.filter((x) => !x.ok).length;
  r.conclude(
    [
      ...resultTable(results),
      differ === 0
        ? `picc: the cluster ${expected.cluster} (${source.name}) is what ${spec} describes: all ${results.length} checks pass`
        : `picc: the cluster ${expected.cluster} (${source.name}) differs from ${spec}: ${differ} of ${results.length} checks`,
    ],
    { cluster: expected.cluster, source: source.name, checks: results },
  );
}

function stop(r: Reporter): never {
  r.stopIfFailing();
  throw new Exit(1);
}

async function answersFromServer(opts: VerifyOptions, defaultKubeconfig: string, paths: string[], r: Reporter): Promise<{ name: string; answers: Answers }> {
  const path = opts.kubeconfig ?? defaultKubeconfig;
  const read = await readKubeconfig(path);
  if ('problem' in read) {
    r.add(fileProblem(path, 'PICC702', read.problem, opts.kubeconfig === undefined ? `compile writes it; give -o as for compile, or --kubeconfig FILE` : undefined));
    return stop(r);
  }
  const timeoutMs = opts.timeout !== undefined ? opts.timeout * 1000 : DEFAULT_CLIENT.timeoutMs;
  try {
    return { name: read.credentials.server, answers: await fetchAnswers(read.credentials, paths, { ...DEFAULT_CLIENT, timeoutMs }) };
  } catch (e) {
    if (!(e instanceof ApiFailure)) throw e;
    r.add(e.kind === 'unreachable'
      ? fileProblem(read.credentials.server, 'PICC703', `cannot ask the API server: ${e.message}`, `is the cluster up and ${read.credentials.server} reachable from here? Without network access, run verify.sh on a control plane and give its answers with --answers`)
      : fileProblem(read.credentials.server, 'PICC704', `the API server refused: ${e.message}`));
    return stop(r);
  }
}

async function answersFromFile(file: string, cluster: string, r: Reporter): Promise<{ name: string; answers: Answers }> {
  const read = await readText(file);
  if (read.text === undefined) {
    if (read.diagnostic) r.add(read.diagnostic);
    return stop(r);
  }
  const parsed = parseAnswersFile(file, read.text);
  if ('problem' in parsed) r.add(fileProblem(file, 'PICC705', parsed.problem));
  else if (parsed.cluster !== cluster) r.add(fileProblem(file, 'PICC705', `${file} holds the answers of cluster "${parsed.cluster}", not of ${cluster}`, `run the verify.sh compiled for ${cluster}`));
  r.stopIfFailing();
  return { name: file, answers: (parsed as { answers: Answers }).answers };
}

import type { Handler } from '../handler.js';
import type { PipelineHandlerSpec } from '../pipeline/pipeline-graph.js';
import { previewPipeline } from '../pipeline/preview-pipeline.js';
import { runPipeline } from '../pipeline/run-pipeline.js';

/**
 * `handler: {type: pipeline, steps, on_failure, output, concurrency}`: runs the DAG with
 * `runPipeline` (children through `ctx.invoke`, progress through `ctx.step`); `preview` returns the
 * dry-run plan of `previewPipeline`. Structural checks (unknown skills, cycles) are the registry's
 * job at load time through `validatePipeline`.
 */
export function createPipelineHandler(spec: PipelineHandlerSpec): Handler {
  return {
    run: (ctx) => runPipeline(spec, ctx),
    preview: (ctx) => previewPipeline(spec, ctx),
  };
}

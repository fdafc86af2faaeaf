import type { BuiltinHandler, HandlerContext } from '../../tools/handler.js';
import { embedderOf } from '../memory-builtins.js';
import { answerQuestion, type GenerateAnswer } from './answer-question.js';
import { DocumentLibrary } from './document-library.js';
import type { DocumentInput } from './document-source.js';

export interface LibraryBuiltinsOptions {
  /** A model-backed answer generator for `library.ask` (the agent layer supplies it); extractive otherwise. */
  generate?: GenerateAnswer;
}

function libraryOf(ctx: HandlerContext): DocumentLibrary {
  const lib = ctx.config.library;
  return new DocumentLibrary(ctx.db, embedderOf(ctx), {
    home: ctx.config.home,
    allowedPaths: lib.allowed_paths,
    maxBytes: lib.max_bytes,
    chunkSize: lib.chunk_size,
    chunkOverlap: lib.chunk_overlap,
  });
}

function documentInput(input: Record<string, unknown>): DocumentInput {
  return {
    text: input.text as string | undefined,
    path: input.path as string | undefined,
    title: input.title as string | undefined,
    format: input.format as DocumentInput['format'],
  };
}

function documentRef(input: Record<string, unknown>): { document_id?: string; title?: string } {
  return { document_id: input.document_id as string | undefined, title: input.title as string | undefined };
}

/**
 * Builtin handlers of the `library` pack. `createLibraryBuiltins({ generate })` wires a model for
 * generated answers; `libraryBuiltins` is the offline table (extractive answers).
 */
export function createLibraryBuiltins(options: LibraryBuiltinsOptions = {}): Record<string, BuiltinHandler> {
  return {
    'library.ingest': {
      async run(ctx) {
        return libraryOf(ctx).ingest(ctx.tenant, ctx.principal.id, documentInput(ctx.input), ctx.signal);
      },
      async preview(ctx) {
        const { doc, hash, chunks, existing } = await libraryOf(ctx).prepare(
          ctx.tenant,
          documentInput(ctx.input),
        );
        const status = !existing ? 'create' : existing.content_hash === hash ? 'unchanged' : 'replace';
        return {
          would: status,
          document_id: existing?.id ?? null,
          title: doc.title,
          kind: doc.kind,
          source: doc.source,
          bytes: doc.bytes,
          chunks: chunks.length,
          replaces_chunks: status === 'replace' ? existing?.chunk_count : 0,
        };
      },
    },
    'library.ask': {
      async run(ctx) {
        const i = ctx.input;
        const docId = i.document_id as string | undefined;
        return answerQuestion(ctx.db, embedderOf(ctx), ctx.tenant, i.question as string, {
          limit: i.limit as number | undefined,
          documentIds: docId ? [docId] : undefined,
          generate: options.generate,
          signal: ctx.signal,
        });
      },
    },
    'library.list': {
      async run(ctx) {
        return libraryOf(ctx).list(ctx.tenant, {
          query: ctx.input.query as string | undefined,
          limit: ctx.input.limit as number | undefined,
        });
      },
    },
    'library.remove': {
      async run(ctx) {
        const removed = await libraryOf(ctx).remove(ctx.tenant, documentRef(ctx.input));
        return { removed: true, document: removed };
      },
      async preview(ctx) {
        const doc = await libraryOf(ctx).find(ctx.tenant, documentRef(ctx.input));
        return { would_remove: doc, chunks: doc.chunks };
      },
    },
  };
}

/** The `library` pack's builtins, offline (extractive `library.ask`). */
export const libraryBuiltins: Record<string, BuiltinHandler> = createLibraryBuiltins();

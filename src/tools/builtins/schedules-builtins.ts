import { SkillgateError } from '../../core/errors.js';
import type { BuiltinHandler, HandlerContext } from '../handler.js';
import { formatIssues } from '../json-schema-subset.js';
import { nextFires } from './schedules/next-fire.js';
import {
  createSchedule,
  firstRun,
  type ScheduleRecord,
  type ScheduleSpec,
  ScheduleSpecSchema,
} from './schedules/schedule-store.js';

function specOf(ctx: HandlerContext): ScheduleSpec {
  const parsed = ScheduleSpecSchema.safeParse(ctx.input);
  if (!parsed.success) {
    throw new SkillgateError('schedule.invalid', `Invalid schedule: ${formatIssues(parsed.error)}`);
  }
  if (parsed.data.skill === ctx.skill.id) {
    throw new SkillgateError('schedule.invalid', 'A schedule cannot run schedules.create itself.');
  }
  return parsed.data;
}

function summary(s: ScheduleRecord) {
  return {
    id: s.id,
    name: s.name,
    skill: s.skillId,
    input: s.input,
    cron: s.cron,
    timezone: s.timezone,
    run_at: s.runAt?.toISOString() ?? null,
    next_run_at: s.nextRunAt?.toISOString() ?? null,
    missed: s.missed,
    enabled: s.enabled,
    owner: s.owner,
  };
}

/**
 * `schedules.create`: stores a schedule owned by the caller (its runs act as them, through every
 * gate, on the `schedule` channel; the server or `skillgate schedule tick` fires them). The preview
 * lists the next five run times without storing anything.
 */
export const schedulesBuiltins: Record<string, BuiltinHandler> = {
  'schedules.create': {
    async run(ctx) {
      const spec = specOf(ctx);
      const s = await ctx.db.tx((q) => createSchedule(q, spec, ctx.principal));
      ctx.log.info({ schedule: s.id, skill: s.skillId }, 'schedule created');
      return { output: { schedule: summary(s) } };
    },
    async preview(ctx) {
      const spec = specOf(ctx);
      const now = new Date();
      const { nextRunAt } = firstRun(spec, now);
      const next = spec.cron ? nextFires(spec.cron, spec.timezone, now, 5) : nextRunAt ? [nextRunAt] : [];
      return {
        would_schedule: {
          skill: spec.skill,
          input: spec.input,
          cron: spec.cron ?? null,
          timezone: spec.timezone,
        },
        owner: ctx.principal.id,
        next_runs: next.map((d) => d.toISOString()),
      };
    },
  },
};

import type { CodeLanguage } from '../../parsing/languages.js';
import type { Detector, DetectorType } from '../restriction-set.js';
import {
  constructLanguages,
  fixedWidthIntegers,
  forbiddenCalls,
  forbiddenConstructs,
} from './construct-detectors.js';
import { boundedLoops, checkedReturnValues, maxNestingDepth, noRecursion } from './control-detectors.js';
import type { DetectorImpl } from './finding.js';
import {
  maxFunctionLines,
  maxLineLength,
  maxParameters,
  minAssertions,
  namingConvention,
} from './size-detectors.js';

/** Every detector type, by the name used in restriction sets. */
export const DETECTORS: Record<DetectorType, DetectorImpl<never>> = {
  no_recursion: noRecursion,
  forbidden_calls: forbiddenCalls,
  forbidden_constructs: forbiddenConstructs,
  bounded_loops: boundedLoops,
  max_function_lines: maxFunctionLines,
  max_parameters: maxParameters,
  max_nesting_depth: maxNestingDepth,
  max_line_length: maxLineLength,
  min_assertions: minAssertions,
  checked_return_values: checkedReturnValues,
  naming_convention: namingConvention,
  fixed_width_integers: fixedWidthIntegers,
};

/** The languages in which a detector (with its parameters) can find anything. */
export function detectorLanguages(detector: Detector): readonly CodeLanguage[] {
  if (detector.type === 'forbidden_constructs') {
    return [...new Set(detector.constructs.flatMap((c) => constructLanguages(c)))];
  }
  return DETECTORS[detector.type].languages;
}

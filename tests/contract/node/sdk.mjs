// The current generation (../package.json), as tour.test.mjs loads each generation.
export { Dub } from "dub";
export * as errors from "dub/models/errors";

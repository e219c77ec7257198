export { Dub } from "dub";
export * as errors from "dub/models/errors";

export { Dub } from "dub";
export * as errors from "dub/models/errors/index.js"; // 0.33.1 has no package exports

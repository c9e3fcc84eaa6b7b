// Package depcheck holds the tests that keep what the SDK costs its
// importers small:
//   - the packages a merchant's service imports must not pull in the
//     GraphQL server, websocket server libraries or the fake gateway, which
//     only tests and kronortest need (the import graph);
//   - the SDK's go.mod, whose requirements every importer's module graph
//     inherits, lists no tool and requires only modules its packages and
//     tests import; the code generators are pinned in internal/tools/go.mod,
//     at the versions of their run-time libraries;
//   - the generated code runs on internal/gql, so the SDK's go.mod does not
//     require genqlient, whose go.mod is also its generator's;
//   - a new module importing the SDK packages, tidied, has no
//     code-generation module in its graph, and keeps a version it pinned of
//     a module the SDK does not import.
package depcheck

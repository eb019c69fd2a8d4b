// Package deploy holds no code: its tests check the Kubernetes manifests in
// k8s/ and the repository's Dockerfile against each other and against what
// fimdb expects. It is a Go module of its own so that the Kubernetes API
// modules stay out of the app's go.mod; make deploy-test runs it.
package deploy

//go:build tools

// The oldest supported control plane: only the CRD install and the validation corpus run against it,
// so it has no controller manager.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)

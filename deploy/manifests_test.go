package deploy

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// manifestDir holds the manifests, one object per file.
const manifestDir = "k8s"

// kustomization is the part of kustomize's Kustomization that
// k8s/kustomization.yaml may use: a field kustomize knows but this does not
// (commonLabels, images, ...) fails the decode, so none slips in unchecked.
type kustomization struct {
	metav1.TypeMeta `json:",inline"`
	Resources       []string `json:"resources"`
}

// kinds are the objects a manifest may hold, each with its apiVersion and
// the Go type it decodes into. Any other kind fails.
var kinds = map[string]struct {
	apiVersion string
	new        func() any
}{
	"Namespace":               {"v1", func() any { return new(corev1.Namespace) }},
	"Secret":                  {"v1", func() any { return new(corev1.Secret) }},
	"Service":                 {"v1", func() any { return new(corev1.Service) }},
	"Deployment":              {"apps/v1", func() any { return new(appsv1.Deployment) }},
	"Job":                     {"batch/v1", func() any { return new(batchv1.Job) }},
	"Ingress":                 {"networking.k8s.io/v1", func() any { return new(networkingv1.Ingress) }},
	"HorizontalPodAutoscaler": {"autoscaling/v2", func() any { return new(autoscalingv2.HorizontalPodAutoscaler) }},
	"PodDisruptionBudget":     {"policy/v1", func() any { return new(policyv1.PodDisruptionBudget) }},
	"Kustomization":           {"kustomize.config.k8s.io/v1beta1", func() any { return new(kustomization) }},
}

// documentSeparator is YAML's "---" line: a file holding two objects would
// otherwise decode as its first one alone.
var documentSeparator = regexp.MustCompile(`(?m)^---`)

// decode turns one manifest into its API type, as strictly as the API
// server's strict field validation: duplicate keys, unknown fields and
// fields spelled in another case are errors, and so are an unknown kind and
// an apiVersion other than the one this test knows the kind by.
func decode(data []byte) (any, error) {
	if documentSeparator.Match(data) {
		return nil, errors.New(`holds "---": put one object in each file`)
	}
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, err
	}
	var tm metav1.TypeMeta
	if err := json.Unmarshal(js, &tm); err != nil {
		return nil, err
	}
	k, ok := kinds[tm.Kind]
	if !ok {
		return nil, fmt.Errorf("kind %q: this test knows no such kind", tm.Kind)
	}
	if tm.APIVersion != k.apiVersion {
		return nil, fmt.Errorf("%s has apiVersion %q, want %q", tm.Kind, tm.APIVersion, k.apiVersion)
	}
	obj := k.new()
	strict, err := kjson.UnmarshalStrict(js, obj, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		return nil, err
	}
	if len(strict) > 0 {
		return nil, errors.Join(strict...)
	}
	return obj, nil
}

// manifests are the decoded files of k8s/: one object of each kind, the
// Namespace optional.
type manifests struct {
	files         map[string]any // file name → decoded object
	namespace     *corev1.Namespace
	secret        *corev1.Secret
	service       *corev1.Service
	deployment    *appsv1.Deployment
	job           *batchv1.Job
	ingress       *networkingv1.Ingress
	hpa           *autoscalingv2.HorizontalPodAutoscaler
	pdb           *policyv1.PodDisruptionBudget
	kustomization *kustomization
}

// load decodes every k8s/*.yaml and fails the test on a file that does not
// decode, on a second object of one kind, and on a missing kind.
func load(t *testing.T) *manifests {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(manifestDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if others, _ := filepath.Glob(filepath.Join(manifestDir, "*.yml")); len(others) > 0 {
		t.Fatalf("%v: name manifests *.yaml, which this test reads", others)
	}
	m := &manifests{files: map[string]any{}}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := decode(data)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		m.files[filepath.Base(path)] = obj
		if !m.set(obj) {
			t.Fatalf("%s: a second %T: this test expects one object of each kind", path, obj)
		}
	}
	for name, missing := range map[string]bool{
		"Secret": m.secret == nil, "Service": m.service == nil, "Deployment": m.deployment == nil,
		"Job": m.job == nil, "Ingress": m.ingress == nil, "HorizontalPodAutoscaler": m.hpa == nil,
		"PodDisruptionBudget": m.pdb == nil, "Kustomization": m.kustomization == nil,
	} {
		if missing {
			t.Fatalf("%s/ holds no %s", manifestDir, name)
		}
	}
	return m
}

// set files obj under its kind and reports false if that kind was filed before.
func (m *manifests) set(obj any) bool {
	switch o := obj.(type) {
	case *corev1.Namespace:
		return setOnce(&m.namespace, o)
	case *corev1.Secret:
		return setOnce(&m.secret, o)
	case *corev1.Service:
		return setOnce(&m.service, o)
	case *appsv1.Deployment:
		return setOnce(&m.deployment, o)
	case *batchv1.Job:
		return setOnce(&m.job, o)
	case *networkingv1.Ingress:
		return setOnce(&m.ingress, o)
	case *autoscalingv2.HorizontalPodAutoscaler:
		return setOnce(&m.hpa, o)
	case *policyv1.PodDisruptionBudget:
		return setOnce(&m.pdb, o)
	case *kustomization:
		return setOnce(&m.kustomization, o)
	}
	panic(fmt.Sprintf("kinds has a type that set does not file: %T", obj))
}

func setOnce[T any](field **T, v *T) bool {
	if *field != nil {
		return false
	}
	*field = v
	return true
}

// sortedKeys lists a map's keys in order, for stable messages.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestDecodeIsStrict shows that decode rejects what the API server's
// strict validation would, and more: a mistake in a manifest must fail
// this test rather than be dropped silently by kubectl.
func TestDecodeIsStrict(t *testing.T) {
	const service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: fimdb\n"
	for _, tc := range []struct{ name, yaml, wantErr string }{
		{"a known object", service, ""},
		{"an unknown field", service + "spec:\n  selectr: {app: fimdb}\n", `unknown field "spec.selectr"`},
		{"a field in another case", service + "spec:\n  Type: ClusterIP\n", `unknown field "spec.Type"`},
		{"a duplicate key", service + "metadata:\n  name: other\n", `"metadata" already set`},
		{"a number where a string goes", service + "spec:\n  type: 1\n", "cannot unmarshal number"},
		{"two objects in one file", service + "---\n" + service, `holds "---"`},
		{"an unknown kind", "apiVersion: v1\nkind: ConfigMapp\n", `kind "ConfigMapp"`},
		{"another apiVersion", "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\n", `want "autoscaling/v2"`},
		{"an unknown kustomize field", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\ncommonLabels: {a: b}\n", `unknown field "commonLabels"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decode([]byte(tc.yaml))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("decode: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("decode accepted it, want an error with %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("decode: %v, want an error with %q", err, tc.wantErr)
			}
		})
	}
}

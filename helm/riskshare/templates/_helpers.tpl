{{- define "riskshare.fullname" -}}{{ printf "%s-riskshare" .Release.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- define "riskshare.labels" -}}
app.kubernetes.io/name: riskshare
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}
{{- define "riskshare.selector" -}}
app.kubernetes.io/name: riskshare
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{- define "riskshare.image" -}}{{ printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}{{- end -}}
{{/* What every container runs with: the settings ConfigMap, the secrets by reference, the
audit key mounted read-only, a writable /tmp on a read-only root filesystem. */}}
{{- define "riskshare.env" -}}
envFrom:
  - configMapRef:
      name: {{ include "riskshare.fullname" . }}-settings
env:
  - name: RISKSHARE_DATABASE_URL
    valueFrom: {secretKeyRef: {name: {{ .Values.secrets.database.name }}, key: url}}
  - name: RISKSHARE_REDIS_URL
    valueFrom: {secretKeyRef: {name: {{ .Values.secrets.redis.name }}, key: url}}
  {{- if .Values.secrets.keycloakAdmin.name }}
  - name: RISKSHARE_KEYCLOAK_ADMIN_CLIENT_SECRET
    valueFrom: {secretKeyRef: {name: {{ .Values.secrets.keycloakAdmin.name }}, key: clientSecret}}
  {{- end }}
  {{- include "riskshare.policiesEnv" . | nindent 2 }}
{{- end -}}
{{/* The policy distributions the operator names (policies.*) are installed by an init
container into an emptyDir that the platform's containers import from (PYTHONPATH): the
entry points in its *.dist-info are found like those in the image. */}}
{{- define "riskshare.policiesPath" -}}/opt/riskshare-policies{{- end -}}
{{- define "riskshare.policiesEnv" -}}
{{- if .Values.policies.distributions }}
- name: PYTHONPATH
  value: {{ include "riskshare.policiesPath" . }}
{{- end }}
{{- end -}}
{{- define "riskshare.policiesInit" -}}
{{- if .Values.policies.distributions }}
{{- if not (or .Values.policies.indexUrl .Values.policies.indexUrlSecret.name) }}
{{- fail "policies.distributions needs policies.indexUrl or policies.indexUrlSecret.name: the index to install them from" }}
{{- end }}
initContainers:
  - name: install-policies
    image: {{ include "riskshare.image" . }}
    imagePullPolicy: {{ .Values.image.pullPolicy }}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
    # --no-deps: the image holds the platform; a plugin's own libraries are named too.
    command:
      - python
      - -m
      - pip
      - install
      - --no-deps
      - --no-cache-dir
      - --disable-pip-version-check
      - --no-input
      - "--only-binary=:all:"
      - --target
      - {{ include "riskshare.policiesPath" . }}
      {{- range .Values.policies.distributions }}
      - {{ . | quote }}
      {{- end }}
    env:
      - name: HOME
        value: /tmp
      - name: PIP_INDEX_URL
      {{- if .Values.policies.indexUrlSecret.name }}
        valueFrom: {secretKeyRef: {name: {{ .Values.policies.indexUrlSecret.name }}, key: url}}
      {{- else }}
        value: {{ .Values.policies.indexUrl | quote }}
      {{- end }}
    resources:
      requests: {cpu: 50m, memory: 128Mi}
      limits: {cpu: 500m, memory: 256Mi}
    volumeMounts:
      - {name: policies, mountPath: {{ include "riskshare.policiesPath" . }}}
      - {name: tmp, mountPath: /tmp}
{{- end }}
{{- end -}}
{{- define "riskshare.container" -}}
image: {{ include "riskshare.image" . }}
imagePullPolicy: {{ .Values.image.pullPolicy }}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities: {drop: [ALL]}
volumeMounts:
  - {name: audit-key, mountPath: /etc/riskshare/audit, readOnly: true}
  - {name: tmp, mountPath: /tmp}
  {{- if .Values.policies.distributions }}
  - {name: policies, mountPath: {{ include "riskshare.policiesPath" . }}, readOnly: true}
  {{- end }}
{{- end -}}
{{- define "riskshare.pod" -}}
automountServiceAccountToken: false
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  fsGroup: 10001
  seccompProfile: {type: RuntimeDefault}
volumes:
  - name: audit-key
    secret: {secretName: {{ .Values.secrets.auditKey.name }}, defaultMode: 0400}
  - name: tmp
    emptyDir: {medium: Memory, sizeLimit: 64Mi}
  {{- if .Values.policies.distributions }}
  - name: policies
    emptyDir: {sizeLimit: 256Mi}
  {{- end }}
{{- include "riskshare.policiesInit" . | nindent 0 }}
{{- end -}}

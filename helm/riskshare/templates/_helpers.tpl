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
{{- end -}}

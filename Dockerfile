# The talentcard service image: init, the API and the projector (compose.yaml) run from it.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY ledger ./ledger
COPY signing ./signing
COPY projections ./projections
COPY services ./services
COPY api ./api
# The data and key folders are the service user's alone (0700), as the CLI makes them.
RUN pip install --no-cache-dir . && useradd --system talentcard \
    && mkdir -p /var/lib/talentcard/keys && chown -R talentcard /var/lib/talentcard \
    && chmod 0700 /var/lib/talentcard /var/lib/talentcard/keys
USER talentcard
ENV TALENTCARD_DATA_DIR=/var/lib/talentcard
EXPOSE 8000
CMD ["talentcard", "serve", "--host", "0.0.0.0", "--port", "8000"]

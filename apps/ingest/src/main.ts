import 'reflect-metadata';
import { bootstrapApp } from '@vigil/infra';
import { IngestModule } from './ingest.module';
import { serveOpenApi } from './serve-openapi';

void bootstrapApp({
  name: 'ingest',
  module: (settings) => IngestModule.forRoot(settings),
  port: (settings) => settings.ingestPort,
  beforeListen: serveOpenApi,
});

import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { allowPageUnder } from '@vigil/infra';

/** OpenAPI of the registry API: JSON at /registry/openapi.json, UI at /registry/docs. */
export function serveOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Vigil device registry')
      .setDescription('Register devices, bind them to patients, set care teams. Admin role (JWT) required.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  allowPageUnder(app, '/registry/docs'); // Swagger UI: its scripts from here, inline styles
  SwaggerModule.setup('registry/docs', app, document, { jsonDocumentUrl: 'registry/openapi.json' });
}

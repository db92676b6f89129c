import { Module } from '@nestjs/common';
import { RegistersController } from './registers.controller';

/** The registers over HTTP (the documents page); the registers themselves are written by the issue pipeline. */
@Module({ controllers: [RegistersController] })
export class RegistersApiModule {}

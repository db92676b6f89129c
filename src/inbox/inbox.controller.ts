import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { Actor, CurrentActor } from '../access/actor';
import { Policy, unitFrom } from '../access/policy';
import { Role } from '../organization/roles';
import { InboxTasks } from './inbox-tasks.service';
import { TaskUnitResolver } from './task-unit.resolver';

export class InboxQueryDto {
  @ApiPropertyOptional({ enum: ['open', 'completed', 'cancelled'] })
  @IsOptional()
  @IsIn(['open', 'completed', 'cancelled'])
  state?: 'open' | 'completed' | 'cancelled';

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2147483647)
  cycleId?: number;

  @ApiPropertyOptional({ description: 'Only tasks due before this instant (ISO 8601)' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/, { message: 'dueBefore must be an ISO 8601 instant with an offset' })
  dueBefore?: string;
}

export class AssignTaskDto {
  @ApiProperty({ description: 'Login of the person who takes the task over' })
  @IsString()
  @Matches(/^[a-z0-9.@_-]{1,120}$/)
  login!: string;
}

const WORKERS = [Role.Staff, Role.DivisionHead, Role.Head, Role.Deputy, Role.Clerk, Role.Consolidator];
const ofTheTask = unitFrom.resolver(TaskUnitResolver);

/** My tasks and my groups' tasks; claim, unclaim, reassign. */
@ApiTags('inbox')
@Controller('api')
export class InboxController {
  constructor(private readonly tasks: InboxTasks) {}

  @Get('inbox')
  @ApiOperation({ summary: 'Tasks assigned to me or offered to my groups' })
  @Policy('signed-in')
  inbox(@Query() query: InboxQueryDto, @CurrentActor() actor: Actor) {
    return this.tasks.inboxOf(actor, { state: query.state, cycleId: query.cycleId, dueBefore: query.dueBefore ? new Date(query.dueBefore) : undefined });
  }

  @Post('tasks/:taskKey/claim')
  @ApiOperation({ summary: 'Take a task offered to one of my groups' })
  @Policy({ roles: WORKERS, scope: 'own-unit', unit: ofTheTask })
  claim(@Param('taskKey') taskKey: string, @CurrentActor() actor: Actor) {
    return this.tasks.claim(taskKey, actor);
  }

  @Post('tasks/:taskKey/unclaim')
  @ApiOperation({ summary: 'Give a task I hold back to its groups' })
  @Policy({ roles: WORKERS, scope: 'own-unit', unit: ofTheTask })
  unclaim(@Param('taskKey') taskKey: string, @CurrentActor() actor: Actor) {
    return this.tasks.unclaim(taskKey, actor);
  }

  @Post('tasks/:taskKey/assign')
  @ApiOperation({ summary: 'Reassign a task (heads of the unit, administrators)' })
  @Policy({ roles: [Role.Head, Role.Administrator], scope: 'consolidated-units', unit: ofTheTask })
  assign(@Param('taskKey') taskKey: string, @Body() body: AssignTaskDto, @CurrentActor() actor: Actor) {
    return this.tasks.assign(taskKey, body.login, actor);
  }
}

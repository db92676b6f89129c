import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { Actor, CurrentActor } from '../access/actor';
import { Policy } from '../access/policy';
import { IdPipe } from '../http/ids';
import { Notifications } from './notifications.service';

export class NotificationQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'Only notifications older than this id (next page)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2147483647)
  before?: number;

  @ApiPropertyOptional({ description: 'Only unread notifications' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  unreadOnly?: boolean;
}

/** The signed-in person's own notifications. Another person's notification is "not found" (404). */
@ApiTags('notifications')
@Controller('api/notifications')
export class NotificationsController {
  constructor(private readonly notifications: Notifications) {}

  @Get()
  @ApiOperation({ summary: 'My notifications, newest first, with my unread count' })
  @Policy('signed-in')
  list(@Query() query: NotificationQueryDto, @CurrentActor() actor: Actor) {
    return this.notifications.listFor(actor.personId, query);
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark all my notifications read' })
  @Policy('signed-in')
  readAll(@CurrentActor() actor: Actor) {
    return this.notifications.markAllRead(actor.personId);
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark one of my notifications read' })
  @Policy('signed-in')
  read(@Param('id', IdPipe) id: number, @CurrentActor() actor: Actor) {
    return this.notifications.markRead(actor.personId, id);
  }
}
